// The project's JSON reader: strict RFC 8259 text (UTF-8 checked, escapes
// and surrogate pairs decoded, numbers only as the grammar spells them,
// nothing after the value) read in one pass without exceptions or recursion,
// numbers correctly rounded by fast_float. It replaces nlohmann's lexer and
// strtod, which took two thirds of `mdsd solve` on a large request (README
// "Benchmark"). Events go to a JsonHandler; JsonDocumentBuilder makes an
// nlohmann::json document of them, refusing a key given twice.
#pragma once

#include "core/expected.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mdsd {

// Arrays and objects nest at most this deep (the document is walked
// recursively in places: nlohmann's copy and dump).
inline constexpr std::size_t kMaxJsonDepth = 1000;

// What a value is, for an element of a number array that is not a number.
enum class JsonKind { null, boolean, string, array, object };

// The reader's events, in document order. Each returns false to stop the
// reading (the handler keeps why: a key given twice, say).
class JsonHandler {
 public:
  virtual ~JsonHandler() = default;
  virtual bool null() = 0;
  virtual bool boolean(bool value) = 0;
  // An integer literal within int64 (-0 is 0), else within uint64; any other
  // number (a fraction, an exponent, a larger integer) as the nearest double.
  virtual bool integer(std::int64_t value) = 0;
  virtual bool unsigned_integer(std::uint64_t value) = 0;
  virtual bool number(double value) = 0;
  virtual bool string(std::string&& value) = 0;
  virtual bool key(std::string&& value) = 0;
  virtual bool start_object() = 0;
  virtual bool end_object() = 0;
  // How the elements of the array starting now come: as events (values), or
  // (numbers) each number as number_element(), an integer literal as the
  // double nearest to it, and anything else as other_element(), its string
  // or nothing of its contents; end_array() closes either.
  enum class ArrayMode { values, numbers };
  virtual ArrayMode start_array() = 0;
  virtual bool end_array() = 0;
  // Before the first element of a numbers array: the bytes left in the
  // text (the array's text is at most that), a hint for reserving memory.
  virtual void expect_bytes(std::size_t /*bytes*/) {}
  virtual bool number_element(double) { return true; }
  // Consecutive numbers of such an array, in order: a run of the numbers
  // read (up to a few hundred at a time, fewer than one virtual call each);
  // by default number_element for each.
  virtual bool number_elements(const double* values, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      if (!number_element(values[i])) return false;
    }
    return true;
  }
  virtual bool other_element(JsonKind, std::string_view /*the string, for JsonKind::string*/) { return true; }
};

struct JsonTextError {
  // "parse error at line 3, column 17: expected ',' or ']' after an array
  // element, got 'x'" or "number overflow at line 1, column 12: ..."; lines
  // and columns count from 1, columns in bytes.
  std::string message;
  // The byte where reading stopped (when a handler stopped it in a number
  // array read on two threads: the array's split, where the handed-over
  // numbers begin).
  std::size_t offset = 0;
  bool handler_stopped = false;   // a handler's event returned false (message empty)
};

// How read_json may work.
struct ReadOptions {
  // A second thread reads the second half of each number array of at least
  // 1 MiB of text while the first thread reads the first; the events,
  // numbers and messages are those of one thread. For a process that reads
  // one large text, `mdsd solve`: the parse of a 152,064-token request in
  // 5.7 ms of wall time instead of 8.3 in a fresh process, for about 1.5 ms
  // more CPU time (README "Whole process"). Where the second thread's CPU
  // is busy, the first waits for it at most as long as it took to reach the
  // middle, then reads on itself.
  bool second_thread = false;
  // When set, counts the arrays whose second half the second thread read
  // and the reader took (for tests and benchmarks).
  std::size_t* halves_taken = nullptr;
};

// Reads one JSON value, the whole of `text` (surrounding whitespace and a
// leading UTF-8 byte order mark aside).
std::optional<JsonTextError> read_json(std::string_view text, JsonHandler& handler, ReadOptions options = {});

// Builds the document of the events, an nlohmann::json or (key order kept)
// nlohmann::ordered_json; a key given twice is an error, not last-one-wins.
// Subclasses take over some arrays (request.cpp reads target and draft
// straight into doubles).
template <class Json>
class BasicJsonDocumentBuilder : public JsonHandler {
 public:
  Json root;
  std::string duplicate;  // "simulate.seed": the keys to a key given twice, once met

  bool null() override { return insert(nullptr); }
  bool boolean(bool value) override { return insert(value); }
  bool integer(std::int64_t value) override { return insert(value); }
  bool unsigned_integer(std::uint64_t value) override { return insert(value); }
  bool number(double value) override { return insert(value); }
  bool string(std::string&& value) override { return insert(std::move(value)); }
  bool key(std::string&& value) override;
  bool start_object() override { return open(Json::object()); }
  bool end_object() override { return close(); }
  ArrayMode start_array() override {
    open(Json::array());
    return ArrayMode::values;
  }
  bool end_array() override { return close(); }

  // Where the reader is, for a syntax error: "target[1]", "simulate.seed"
  // (empty at the top).
  virtual std::string path_being_read() const;

 protected:
  // Places `value` where the reader is: the root, the end of the open array,
  // or the pending key's slot of the open object.
  Json* place(Json&& value);
  bool insert(Json&& value);
  bool open(Json&& empty);
  bool close();
  // The path to the open containers, and to the pending key when in an object.
  std::string path_to(bool with_pending_key) const;

  // Pointers stay valid: a container only grows while none inside it is open.
  std::vector<Json*> open_;                 // the open containers, outermost first
  std::vector<const std::string*> keys_;    // the key each is under (nullptr: in an array, or the root)
  Json* pending_slot_ = nullptr;            // in an object: the slot of the key just read
  const std::string* pending_key_ = nullptr;
  // An ordered object's keys once it has many (its own lookup is linear).
  std::vector<std::unordered_set<std::string>> key_index_;
};
using JsonDocumentBuilder = BasicJsonDocumentBuilder<nlohmann::json>;

// Parses JSON text into a plain document; the error starts "not valid JSON: "
// (with " (in PATH)" when inside a value) or names a key given twice
// ("a.b: given twice; a key may appear once in an object").
Expected<nlohmann::json> parse_json_document(std::string_view text);
Expected<nlohmann::ordered_json> parse_ordered_json_document(std::string_view text);

// The message of a failed read_json with `builder`: as parse_json_document's.
template <class Json>
std::string json_error_message(const JsonTextError& error, const BasicJsonDocumentBuilder<Json>& builder);

}  // namespace mdsd
