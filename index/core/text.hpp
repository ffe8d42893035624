// Text from files and metadata: UTF-8 validation, ASCII case folding, names made safe for the
// view, and strings made safe for a terminal. One validator serves every caller, so a view name
// and its `list --json` form agree on what is valid.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ipd {

// Length of the well-formed UTF-8 sequence starting at text[i] (1 to 4), or 0 when there is
// none: a stray continuation byte, a sequence cut short, an overlong form (C0 80), a surrogate
// (U+D800..U+DFFF) or a code point above U+10FFFF. `i` must be inside `text`.
std::size_t utf8_length(std::string_view text, std::size_t i);

// True when all of `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

// `text` with ASCII A-Z lowered; other bytes as they are.
std::string lower_ascii(std::string_view text);

// A file or folder name made safe from metadata: no '/', '\\' or control characters (C0, DEL
// or C1: each becomes '_'), not "." or "..", well-formed UTF-8 (each invalid byte becomes '_'),
// no leading spaces or trailing spaces and dots, at most `max_bytes` bytes (cut at a character
// boundary); empty input gives "_".
std::string sanitize_name(std::string_view name, std::size_t max_bytes = 120);

// `text` for a terminal, a log line or a message: control characters, backslashes and invalid
// UTF-8 shown as \xNN, so a newline or an escape sequence cannot break the output. Every piece
// of a message that comes from inside a file (a box type, a metadata string, a library's
// message that may quote the file) goes through it where the message is made.
std::string display_text(std::string_view text);

// A path for a terminal or a log line: display_text of it (a path's bytes are stored as they
// are, so the escaping happens where it is shown).
std::string display_path(std::string_view path);

// `text` as one word for a POSIX shell, to show a command a user can paste: as it is when it has
// only safe characters, else in single quotes; where it holds a control character or bytes that
// are not UTF-8, as $'…' with those spelled \xNN (bash, zsh and ksh read it; dash does not).
std::string shell_word(std::string_view text);

} // namespace ipd
