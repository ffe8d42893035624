#include "index/review/pages.hpp"

#include "index/core/error.hpp"
#include "index/core/paths.hpp"
#include "index/review/output.hpp"

#include <cstdio>
#include <map>
#include <set>

namespace ipd::review {

namespace {

namespace fs = std::filesystem;

// One page to write: its file under pages/, its title and its body.
struct Page {
  std::string file;
  std::string title;
  std::string body;
};

// A series of pages of one subject: items rendered one by one, k_items_per_page to a page.
struct Series {
  std::string stem;  // "Apple-iPhone-12-Pro-2021-05"
  std::string title; // "Apple iPhone 12 Pro, 2021-05"
  std::vector<std::string> items;
  std::string head; // what opens each page's items ("<table>…"), and closes them
  std::string tail;
};

// A name for a file from any text: ASCII letters and digits kept, runs of anything else as one '-'.
std::string slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  return out.empty() ? "_" : out;
}

std::string page_file(const Series& s, std::size_t part) {
  return s.stem + "-" + std::to_string(part + 1) + ".html";
}

std::size_t parts_of(const Series& s) { return (s.items.size() + k_items_per_page - 1) / k_items_per_page; }

// The pages of a series, each with links to the others.
void add_pages(const Series& s, std::vector<Page>& pages) {
  const std::size_t parts = parts_of(s);
  for (std::size_t part = 0; part < parts; ++part) {
    Page page{page_file(s, part), s.title, {}};
    if (parts > 1) {
      page.title += " (page " + std::to_string(part + 1) + " of " + std::to_string(parts) + ")";
      page.body += "<nav>pages:";
      for (std::size_t k = 0; k < parts; ++k) {
        page.body +=
            k == part ? " <b>" + std::to_string(k + 1) + "</b>"
                      : " <a href=\"" + html_text(page_file(s, k)) + "\">" + std::to_string(k + 1) + "</a>";
      }
      page.body += "</nav>\n";
    }
    page.body += s.head;
    for (std::size_t k = part * k_items_per_page; k < std::min(s.items.size(), (part + 1) * k_items_per_page);
         ++k) {
      page.body += s.items[k];
    }
    page.body += s.tail;
    pages.push_back(std::move(page));
  }
}

// The links to a series' pages, for the index.
std::string links_to(const Series& s) {
  std::string out;
  for (std::size_t part = 0; part < parts_of(s); ++part) {
    out += " <a href=\"pages/" + html_text(page_file(s, part)) + "\">" +
           (parts_of(s) > 1 ? std::to_string(part + 1) : "open") + "</a>";
  }
  return out;
}

// The paths of the user's decisions, for a `forget` beside each file they name.
std::set<std::string> decided_paths(const Model& m) {
  std::set<std::string> out;
  for (const auto& s : m.decisions) {
    for (const auto& p : s.files) {
      out.insert(p.source);
    }
  }
  return out;
}

class Writer {
public:
  explicit Writer(const CardContext& ctx) : m_ctx(ctx), m_m(ctx.model), m_decided(decided_paths(ctx.model)) {}

  std::vector<Page> pages;

  // The shelves' series, in shelf order, and the index rows that link to them.
  std::string shelves() {
    std::string rows;
    std::set<std::string> stems;
    for (const auto& [shelf, items] : m_m.shelves) {
      Series s;
      s.stem = slug(shelf.device.empty() ? "no-device" : shelf.device) + "-" +
               (shelf.month.empty() ? "undated" : shelf.month);
      for (std::string stem = s.stem; !stems.insert(s.stem).second;) {
        s.stem = stem + "-" + std::to_string(stems.size());
      }
      s.title = (shelf.device.empty() ? std::string("(no device)") : shelf.device) +
                (shelf.month.empty() ? "" : ", " + shelf.month);
      for (const std::size_t c : items.captures) {
        s.items.push_back(capture_html(m_m.captures[c]));
      }
      for (const std::size_t n : items.near_misses) {
        s.items.push_back(near_miss_html(m_m.near_misses[n]));
      }
      for (const std::size_t l : items.live) {
        s.items.push_back(live_html(m_m.live[l]));
      }
      add_pages(s, pages);
      rows += "<tr><td>" + html_text(shelf.device) + "</td><td>" + html_text(shelf.month) +
              "</td><td class=\"n\">" + std::to_string(items.captures.size()) + "</td><td class=\"n\">" +
              std::to_string(items.near_misses.size()) + "</td><td class=\"n\">" +
              std::to_string(items.live.size()) + "</td><td>" + links_to(s) + "</td></tr>\n";
    }
    return rows;
  }

  // The series of the lists, and the index rows that link to them.
  std::string lists() {
    std::string rows;
    Series unknown{
        "unknown-time", "unknown_time/: files without a capture time", {}, "<div class=\"group\">", "</div>"};
    for (const std::size_t i : m_m.unknown_time) {
      unknown.items.push_back(file_card(m_ctx, i, row("why here", reason(i)), commands(i, {"explain"})));
    }
    rows += list_row(unknown, "list-unknown-time", "files without a capture time (unknown_time/)");
    Series other{"other",
                 "other/: files that are not photos or videos",
                 {},
                 "<table><tr><th>file</th><th>type</th><th>size</th><th>in the view</th><th>to look "
                 "closer</th></tr>\n",
                 "</table>"};
    for (const std::size_t i : m_m.other) {
      const FileRecord& r = m_m.files[i].record;
      other.items.push_back("<tr data-role=\"other\"><td>" + html_text(r.path) + "</td><td>" +
                            html_text(r.mime) + "</td><td class=\"n\">" + size_words(r.size) + "</td><td>" +
                            html_text(view(i)) + "</td><td>" +
                            command_html(command_line(m_ctx, "explain", {r.path})) + "</td></tr>\n");
    }
    rows += list_row(other, "list-other", "files that are not photos or videos (other/)");
    Series unreadable{"unreadable",
                      "Unreadable files, and files the view does not serve",
                      {},
                      "<table><tr><th>file</th><th>what</th><th>role</th><th>to look closer</th></tr>\n",
                      "</table>"};
    for (const std::size_t i : m_m.unreadable) {
      unreadable.items.push_back(unreadable_html(i));
    }
    rows += list_row(unreadable, "list-unreadable", "unreadable files and files not served");
    Series decisions{"decisions",
                     "Your decisions",
                     {},
                     "<table><tr><th>decision</th><th>made on</th><th>its files now</th><th>note</th><th>to "
                     "undo it</th></tr>\n",
                     "</table>"};
    for (const auto& d : m_m.decisions) {
      decisions.items.push_back(decision_html(d));
    }
    rows += list_row(decisions, "list-decisions", "your decisions (keep, apart, together)");
    return rows;
  }

private:
  std::string list_row(const Series& s, std::string_view count_name, std::string_view what) {
    add_pages(s, pages);
    return "<tr><td>" + html_text(what) + "</td><td class=\"n\" data-count=\"" + std::string(count_name) +
           "\">" + std::to_string(s.items.size()) + "</td><td>" + links_to(s) + "</td></tr>\n";
  }

  const Placement* placement(std::size_t i) const {
    return m_m.files[i].placement ? &*m_m.files[i].placement : nullptr;
  }
  // The placement of a capture's member (the model gives every member one).
  const Placement& member(std::size_t i) const { return m_m.files[i].placement.value(); }
  std::string reason(std::size_t i) const { return placement(i) ? placement(i)->reason : std::string(); }
  std::string view(std::size_t i) const { return placement(i) ? placement(i)->view : std::string(); }

  // `verbs` on the file, then `forget` where a decision of the user's names it.
  std::vector<std::string> commands(std::size_t i, const std::vector<std::string_view>& verbs) const {
    std::vector<std::string> out;
    const std::string& path = m_m.files[i].record.path;
    for (const auto verb : verbs) {
      out.push_back(command_line(m_ctx, verb, {path}));
    }
    if (m_decided.count(path)) {
      out.push_back(command_line(m_ctx, "forget", {path}));
    }
    return out;
  }

  std::string capture_html(const Capture& c) const {
    std::size_t copies = 0;
    for (const std::size_t i : c.members) {
      const Role role = member(i).role;
      copies += role == Role::duplicate || role == Role::raw_sidecar ? 1 : 0;
    }
    const FileRecord& k = m_m.files[c.keeper].record;
    std::string out = "<section class=\"group capture\"><p>" + html_text(leaf_of(k.path)) + ", captured " +
                      html_text(format_iso8601(k.capture)) + ": the keeper and " + std::to_string(copies) +
                      (copies == 1 ? " copy" : " copies") + "</p>\n";
    out += file_card(m_ctx, c.keeper, row("why kept", reason(c.keeper)), commands(c.keeper, {"explain"}));
    for (const std::size_t i : c.members) {
      const Placement& p = member(i);
      if (p.role == Role::companion) {
        out += file_card(m_ctx, i, row("why here", p.reason), commands(i, {"explain"}));
      } else {
        // Decisions are taken on photos and movies; a sidecar follows its picture.
        const Kind kind = m_m.files[i].record.kind;
        const bool decidable = kind == Kind::still || kind == Kind::movie;
        out += file_card(m_ctx, i, row("same capture", p.same_as) + row("keeper wins on", p.kept_because),
                         commands(i, decidable ? std::vector<std::string_view>{"keep", "apart"}
                                               : std::vector<std::string_view>{"explain"}));
      }
    }
    return out + "</section>\n";
  }

  std::string distance_words(const NearMiss& miss) const {
    char buf[96] = "";
    if (miss.sample >= 0 && miss.whole >= 0) {
      std::snprintf(buf, sizeof buf, "sample distance %.2f, whole-picture distance %.2f", miss.sample,
                    miss.whole);
    } else if (miss.sample >= 0) {
      std::snprintf(buf, sizeof buf, "sample distance %.2f", miss.sample);
    } else if (miss.whole >= 0) {
      std::snprintf(buf, sizeof buf, "whole-picture distance %.2f", miss.whole);
    }
    return buf;
  }

  std::string near_miss_html(const NearMissItem& n) const {
    std::string out = "<section class=\"group near-miss\"><p>Kept apart: " + html_text(n.miss.why);
    if (const std::string d = distance_words(n.miss); !d.empty()) {
      out += " <span class=\"why\">(" + html_text(d) + ")</span>";
    }
    if (n.more_pairs > 0) {
      out += "; " + std::to_string(n.more_pairs) + " more pair" + (n.more_pairs == 1 ? "" : "s") +
             " of copies of these two captures too";
    }
    out +=
        ". If they are one capture:" + command_html(command_line(m_ctx, "together", {n.miss.a, n.miss.b})) +
        "</p>\n";
    for (const auto& [i, path] : {std::pair{n.a, n.miss.a}, std::pair{n.b, n.miss.b}}) {
      out += i == k_no_file ? "<p>no longer an input: " + html_text(path) + "</p>\n"
                            : file_card(m_ctx, i, row("why here", reason(i)), commands(i, {"explain"}));
    }
    return out + "</section>\n";
  }

  std::string live_html(const LivePair& l) const {
    std::string out = "<section class=\"group live\"><p>Live Photo: " + html_text(reason(l.movie)) + "</p>\n";
    out += file_card(m_ctx, l.still, row("why kept", reason(l.still)), commands(l.still, {"explain"}));
    out += file_card(m_ctx, l.movie, {}, commands(l.movie, {"explain"}));
    return out + "</section>\n";
  }

  std::string unreadable_html(std::size_t i) const {
    const FileRecord& r = m_m.files[i].record;
    std::string what = r.error;
    if (what.empty() && r.kind == Kind::symlink) {
      what = "a symbolic link to " + r.link_target + ": not served";
    } else if (what.empty()) {
      what = "not in the view: " + reason(i);
    }
    const Placement* p = placement(i);
    return "<tr data-error=\"" + std::string(r.error.empty() ? "no" : "yes") + "\"><td>" + html_text(r.path) +
           "</td><td>" + html_text(what) + "</td><td>" + (p ? html_text(role_name(p->role)) : "-") +
           "</td><td>" + command_html(command_line(m_ctx, "explain", {r.path})) + "</td></tr>\n";
  }

  std::string decision_html(const DecisionState& s) const {
    const Decision& d = s.decision;
    std::string files;
    for (const Placement& p : s.files) {
      files += html_text(role_name(p.role)) + ": " + html_text(p.view.empty() ? p.source : p.view) + "<br>";
    }
    return "<tr><td>" + html_text(verdict_name(d.verdict)) + ", " + html_text(decision_date(d.made_ns)) +
           "</td><td>" + html_text(d.path) + "</td><td>" + (files.empty() ? "none among the inputs" : files) +
           "</td><td>" + html_text(s.note) + "</td><td>" +
           command_html(command_line(m_ctx, "forget", {d.path})) + "</td></tr>\n";
  }

  const CardContext& m_ctx;
  const Model& m_m;
  std::set<std::string> m_decided;
};

std::string counts_html(const Model& m) {
  const Counts& c = m.counts;
  std::string out = "<h2>Counts</h2>\n<table class=\"counts\">\n";
  const auto line = [&](std::string_view what, std::string_view name, std::uint64_t n) {
    out += "<tr><td>" + html_text(what) + "</td><td class=\"n\" data-count=\"" + std::string(name) + "\">" +
           std::to_string(n) + "</td></tr>\n";
  };
  line("input files", "files", c.files);
  for (const Role role :
       {Role::keeper, Role::companion, Role::raw_sidecar, Role::duplicate, Role::unknown_time, Role::other}) {
    line(role_name(role), role_name(role), c.by_role[static_cast<std::size_t>(role)]);
  }
  line("not in the view (symbolic links and the like)", "not-in-view", c.not_in_view);
  line("with an error", "errors", c.with_errors);
  line("captures with copies", "captures", m.captures.size());
  line("near misses: captures of one instant whose stills were kept apart", "near-misses",
       m.near_misses.size());
  line("Live Photos", "live-photos", m.live.size());
  line("your decisions", "decisions", m.decisions.size());
  return out + "</table>\n";
}

// pages/*.html that an earlier run made and this one did not, deleted.
void remove_stale(const fs::path& dir, const std::set<std::string>& written) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".html") && !written.count(name)) {
      ::unlink(entry.path().c_str());
    }
  }
}

void write_or_throw(const fs::path& path, std::string_view bytes) {
  std::string error;
  if (!write_whole(path, bytes, error)) {
    throw Fatal(error);
  }
}

} // namespace

std::size_t write_pages(const CardContext& index_ctx, const fs::path& dir, Progress* progress) {
  CardContext ctx{index_ctx.model, index_ctx.previews, index_ctx.catalog_words, "../"};
  Writer writer(ctx);
  const std::string shelf_rows = writer.shelves();
  const std::string list_rows = writer.lists();
  const fs::path pages_dir = dir / "pages";
  std::error_code ec;
  fs::create_directories(pages_dir, ec);
  if (ec) {
    throw Fatal("cannot make " + pages_dir.string() + ": " + ec.message());
  }
  std::set<std::string> written;
  {
    ProgressPass pass(progress, "writing pages", writer.pages.size() + 1);
    for (const Page& page : writer.pages) {
      write_or_throw(pages_dir / page.file, html_page(page.title, "../", page.body));
      written.insert(page.file);
      pass.advance(1);
    }
    std::string body = counts_html(ctx.model);
    body +=
        "<h2>By device and month</h2>\n<p>Every capture with copies (the keeper and each copy side by side), "
        "the near misses (captures of one instant whose stills the content check kept apart, each by its "
        "closest pair) and the Live Photos.</p>\n"
        "<table><tr><th>device</th><th>month</th><th>with copies</th><th>near misses</th><th>Live Photos</th>"
        "<th>pages</th></tr>\n" +
        shelf_rows + "</table>\n";
    body += "<h2>Lists</h2>\n<table>\n" + list_rows + "</table>\n";
    body += "<p class=\"why\">Beside every item is the command that changes it; paste it into a shell.</p>\n";
    write_or_throw(dir / "index.html", html_page("iphone-photo-dedup review", "", body));
    pass.advance(1);
  }
  remove_stale(pages_dir, written);
  return written.size() + 1;
}

} // namespace ipd::review
