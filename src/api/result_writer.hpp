// The result JSON text of one request, written straight from the Result:
// byte for byte nlohmann's dump() of to_json(result) (api/result.hpp), the
// same members in the same order, doubles by nlohmann's own shortest
// round-trip formatting, strings escaped by nlohmann. It skips the document
// of JSON values, which at V = 152,064 held 140,000-id certificates as
// 16-byte values and took more time to build and print than the parse
// (README "Whole process").
#pragma once

#include "calculation/calculate.hpp"

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace mdsd {

std::string result_text(const Result& result);

// The same text handed to `sink` in consecutive pieces of about 64 KB, so
// that a large result is never held whole (mdsd solve prints each piece).
using ResultTextSink = std::function<void(std::string_view)>;
// `optimal_texts`: empty, or for each entry of result.optimal its text
// written beforehand by write_method_result_text (mdsd solve writes them on
// another thread while the rest is computed), used as it is.
void write_result_text(const Result& result, const ResultTextSink& sink,
                       std::span<const std::string> optimal_texts = {});

// One entry of result.optimal as write_result_text writes it (its value,
// {"alpha": ...} or {"error": ...}), appended to `text`; reserving
// method_result_text_bound(entry) bytes beforehand leaves `text` unmoved
// while it is written (its pages then taken by whoever writes them).
void write_method_result_text(const MethodResult& entry, std::string& text);
std::size_t method_result_text_bound(const MethodResult& entry);

}  // namespace mdsd
