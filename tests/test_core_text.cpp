// One UTF-8 validator for view names, JSON and terminal output (core/text.hpp).
#include "index/core/text.hpp"
#include "index/view/json.hpp"
#include "tests/support/run.hpp"

#include <doctest/doctest.h>

using namespace ipd;

TEST_CASE("UTF-8: well-formed sequences pass and malformed ones are refused") {
  CHECK(valid_utf8("IMG_1234 caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB7"));
  CHECK_FALSE(valid_utf8("\xC0\x80"));         // overlong NUL
  CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));     // overlong '/'
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));     // a surrogate, U+D800
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80")); // U+110000, beyond Unicode
  CHECK_FALSE(valid_utf8("\xC3"));             // cut short
  CHECK_FALSE(valid_utf8("\x80"));             // a stray continuation byte
}

TEST_CASE("sanitized names replace every byte of a malformed sequence as JSON does") {
  CHECK(sanitize_name("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(sanitize_name("a\xC0\x80"
                      "b") == "a__b");
  CHECK(sanitize_name("a\xED\xA0\x80"
                      "b") == "a___b");
  CHECK(sanitize_name("a\xF4\x90\x80\x80"
                      "b") == "a____b");
  for (const char* name : {"a\xC0\x80"
                           "b",
                           "a\xED\xA0\x80"
                           "b",
                           "a\xF4\x90\x80\x80"
                           "b"}) {
    CHECK(valid_utf8(sanitize_name(name)));
    CHECK(json_string(sanitize_name(name)).find("\\ufffd") == std::string::npos);
  }
}

TEST_CASE("sanitized names cannot leave their folder or carry control characters") {
  CHECK(sanitize_name("../../etc") == ".._.._etc");
  CHECK(sanitize_name("..") == "_");
  CHECK(sanitize_name("") == "_");
  CHECK(sanitize_name("a/b\\c") == "a_b_c");
  CHECK(sanitize_name("line\nbreak\x1b[31m") == "line_break_[31m");
  CHECK(sanitize_name("  name. . ") == "name");
  CHECK(sanitize_name(std::string(300, 'x')).size() == 120);
  CHECK(sanitize_name("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9"); // cut at a character boundary
}

TEST_CASE("text for the terminal shows control bytes and invalid UTF-8 as escapes") {
  CHECK(display_path("/in/IMG\n1.JPG") == "/in/IMG\\x0a1.JPG");
  CHECK(display_path("\x1b[2J") == "\\x1b[2J");
  CHECK(display_path("a\\b") == "a\\x5cb");
  CHECK(display_path("\xC0\x80") == "\\xc0\\x80");
  CHECK(display_path("caf\xC3\xA9") == "caf\xC3\xA9");
}

TEST_CASE("text for the terminal shows C1 controls as escapes and keeps the letters beside them") {
  CHECK(display_text("\xC2\x9B"
                     "31m") == "\\xc2\\x9b31m"); // U+009B, CSI in 8-bit terminals
  CHECK(display_text("\xC2\x85") == "\\xc2\\x85");
  CHECK(display_text("\xC2\xA0\xC2\xB0") == "\xC2\xA0\xC2\xB0"); // no-break space, degree sign
  CHECK(sanitize_name("a\xC2\x9B"
                      "b") == "a_b");
  CHECK(sanitize_name("25\xC2\xB0") == "25\xC2\xB0");
}

TEST_CASE("a shell word gives back every name in bash and zsh and shows no control byte") {
  const std::string names[] = {"IMG_0001.JPG",
                               "/in/IMG_0002 (1).JPG",
                               "Bob's copy.JPG",
                               "a\\b $HOME `x` \"q\" *.JPG",
                               "caf\xC3\xA9 \xF0\x9F\x93\xB7",
                               "line\nbreak.JPG",
                               "tab\there",
                               "esc\x1b[31m",
                               "csi \xC2\x9B"
                               "31m",
                               "latin1 caf\xE9.JPG",
                               "quote ' and \xFF",
                               "-n",
                               ""};
  for (const std::string& name : names) {
    CAPTURE(name);
    const std::string word = shell_word(name);
    for (std::size_t i = 0; i < word.size(); ++i) {
      const auto c = static_cast<unsigned char>(word[i]);
      CHECK((c >= 0x20 && c != 0x7F));
      CHECK_FALSE((c == 0xC2 && i + 1 < word.size() && static_cast<unsigned char>(word[i + 1]) < 0xA0)); // C1
    }
    CHECK(valid_utf8(word));
    for (const char* shell : {"/bin/bash", "/bin/zsh"}) {
      CAPTURE(shell);
      const auto r = test::run_program({shell, "-c", "printf '%s' " + word});
      CHECK(r.status == 0);
      CHECK(r.out == name);
    }
  }
  CHECK(shell_word("IMG_0001.JPG") == "IMG_0001.JPG");
  CHECK(shell_word("Bob's copy") == "'Bob'\\''s copy'");
  CHECK(shell_word("a\nb") == "$'a\\x0ab'");
}
