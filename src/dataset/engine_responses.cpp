#include "dataset/engine_responses.hpp"

#include "api/json_reader.hpp"
#include "core/limits.hpp"
#include "core/message_text.hpp"
#include "dataset/json_lines.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

namespace mdsd {
namespace {

using json = nlohmann::ordered_json;

// Engines compute log-probabilities in float: a listed sum may pass 1 by
// rounding, and log_softmax may give a tiny positive value for p = 1.
constexpr double kSumSlack = 1e-3;
constexpr double kPositiveSlack = 1e-6;

std::string kind_of(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::binary: return "a binary";
    default: return "a number";
  }
}

const json* member(const json* value, const char* key) {
  if (value == nullptr || !value->is_object()) return nullptr;
  const auto found = value->find(key);
  return found == value->end() ? nullptr : &*found;
}

bool present(const json* value) { return value != nullptr && !value->is_null(); }

std::string indexed(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

Expected<double> logprob_of(const json& value, const std::string& path) {
  if (!value.is_number()) return Error{path + ": expected a log-probability (a number), got " + kind_of(value)};
  const double logprob = value.get<double>();
  if (!std::isfinite(logprob)) return Error{path + ": not a finite number"};
  if (logprob > kPositiveSlack) return Error{path + ": log-probability " + format_number(logprob) + " is positive"};
  return logprob;
}

// "#id" for a token id below the vocabulary limit.
Expected<std::string> id_key(std::int64_t id, const std::string& path) {
  if (id < 0 || id >= limits::kMaxVocabulary) {
    return Error{path + ": token id " + std::to_string(id) + " is outside 0 to " + std::to_string(limits::kMaxVocabulary - 1)};
  }
  return "#" + std::to_string(id);
}

Expected<std::string> id_key(const json& value, const std::string& path) {
  if (!value.is_number_integer() || (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX)) {
    return Error{path + ": expected a token id (an integer), got " + (value.is_number() ? "a number with a fraction or out of range" : kind_of(value))};
  }
  return id_key(value.get<std::int64_t>(), path);
}

Expected<std::string> id_key(std::string_view digits, const std::string& path) {
  std::int64_t id = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return Error{path + ": \"" + excerpt(digits) + "\" is not a token id"};
  }
  return id_key(id, path);
}

// A token written as text: vLLM's return_tokens_as_token_ids gives
// "token_id:123", which is an id.
Expected<std::string> text_key(const std::string& text, const std::string& path) {
  constexpr std::string_view kPrefix = "token_id:";
  if (text.starts_with(kPrefix)) return id_key(std::string_view(text).substr(kPrefix.size()), path);
  return "s:" + text;
}

// {token, logprob, bytes, id}: OpenAI chat entries, llama.cpp's (with "id").
Expected<ResponseToken> entry_token(const json& entry, const std::string& path) {
  if (!entry.is_object()) return Error{path + ": expected an object {token, logprob, ...}, got " + kind_of(entry)};
  ResponseToken token;
  const json* id = member(&entry, "id");
  const json* text = member(&entry, "token");
  const json* bytes = member(&entry, "bytes");
  if (present(id)) {
    auto key = id_key(*id, path + ".id");
    if (!key.ok()) return Error{key.error()};
    token.key = std::move(key).value();
  } else if (present(text) && text->is_string()) {
    auto key = text_key(text->get<std::string>(), path + ".token");
    if (!key.ok()) return Error{key.error()};
    token.key = std::move(key).value();
  } else if (present(bytes) && bytes->is_array()) {
    std::string raw;
    for (const json& byte : *bytes) {
      if (!byte.is_number_integer() || byte.get<std::int64_t>() < 0 || byte.get<std::int64_t>() > 255) {
        return Error{path + ".bytes: expected numbers 0 to 255"};
      }
      raw.push_back(static_cast<char>(byte.get<std::int64_t>()));
    }
    token.key = "s:" + raw;
  } else {
    return Error{path + ": has no token, id or bytes"};
  }
  const json* logprob = member(&entry, "logprob");
  if (!present(logprob)) {
    if (present(member(&entry, "prob"))) {
      return Error{path + ": gives \"prob\", the probability after the samplers (llama.cpp's post_sampling_probs); "
                   "ask for \"post_sampling_probs\": false"};
    }
    return Error{path + ".logprob: is missing"};
  }
  auto value = logprob_of(*logprob, path + ".logprob");
  if (!value.ok()) return Error{value.error()};
  token.logprob = value.value();
  return token;
}

// Chat entries: each with its top_logprobs.
std::optional<Error> entry_positions(const json& entries, const std::string& path, std::vector<ResponsePosition>& out) {
  if (!entries.is_array()) return Error{path + ": expected an array of token entries, got " + kind_of(entries)};
  for (std::size_t j = 0; j < entries.size(); ++j) {
    ResponsePosition position;
    position.path = indexed(path, j);
    auto chosen = entry_token(entries[j], position.path);
    if (!chosen.ok()) return Error{chosen.error()};
    position.chosen = std::move(chosen).value();
    const json* top = member(&entries[j], "top_logprobs");
    if (!present(top)) {
      return Error{position.path + ".top_logprobs: is missing: ask for the top log-probabilities "
                   "(chat: \"top_logprobs\": 20; llama.cpp: \"n_probs\": 20)"};
    }
    if (!top->is_array()) return Error{position.path + ".top_logprobs: expected an array, got " + kind_of(*top)};
    for (std::size_t i = 0; i < top->size(); ++i) {
      auto token = entry_token((*top)[i], indexed(position.path + ".top_logprobs", i));
      if (!token.ok()) return Error{token.error()};
      position.listed.push_back(std::move(token).value());
    }
    out.push_back(std::move(position));
  }
  return std::nullopt;
}

// Completions: {tokens, token_logprobs, top_logprobs: [{token: logprob}]}.
// `echo` is set when the first entry is null (the prompt's first token).
std::optional<Error> completion_positions(const json& logprobs, const std::string& path,
                                          std::vector<ResponsePosition>& out, bool& echo) {
  const json* tokens = member(&logprobs, "tokens");
  const json* values = member(&logprobs, "token_logprobs");
  const json* tops = member(&logprobs, "top_logprobs");
  if (!tokens->is_array()) return Error{path + ".tokens: expected an array, got " + kind_of(*tokens)};
  if (!present(values) || !values->is_array()) return Error{path + ".token_logprobs: expected an array"};
  if (!present(tops)) {
    return Error{path + ".top_logprobs: is missing: ask for the top log-probabilities (\"logprobs\": 20)"};
  }
  if (!tops->is_array()) return Error{path + ".top_logprobs: expected an array, got " + kind_of(*tops)};
  if (values->size() != tokens->size() || tops->size() != tokens->size()) {
    return Error{path + ": tokens, token_logprobs and top_logprobs have " + std::to_string(tokens->size()) + ", " +
                 std::to_string(values->size()) + " and " + std::to_string(tops->size()) + " entries"};
  }
  for (std::size_t j = 0; j < tokens->size(); ++j) {
    const json& value = (*values)[j];
    const json& top = (*tops)[j];
    if (value.is_null() && top.is_null()) {
      if (j == 0) echo = true;
      continue;
    }
    ResponsePosition position;
    position.path = indexed(path + ".tokens", j);
    if (value.is_null() || top.is_null()) {
      return Error{position.path + ": one of token_logprobs[" + std::to_string(j) + "] and top_logprobs[" +
                   std::to_string(j) + "] is null and the other is not"};
    }
    if (!(*tokens)[j].is_string()) return Error{position.path + ": expected a string, got " + kind_of((*tokens)[j])};
    auto key = text_key((*tokens)[j].get<std::string>(), position.path);
    if (!key.ok()) return Error{key.error()};
    position.chosen.key = std::move(key).value();
    auto chosen = logprob_of(value, indexed(path + ".token_logprobs", j));
    if (!chosen.ok()) return Error{chosen.error()};
    position.chosen.logprob = chosen.value();
    const std::string top_path = indexed(path + ".top_logprobs", j);
    if (!top.is_object()) return Error{top_path + ": expected an object {token: logprob}, got " + kind_of(top)};
    for (const auto& item : top.items()) {
      ResponseToken token;
      auto listed_key = text_key(item.key(), top_path);
      if (!listed_key.ok()) return Error{listed_key.error()};
      token.key = std::move(listed_key).value();
      auto logprob = logprob_of(item.value(), top_path + "." + excerpt(item.key()));
      if (!logprob.ok()) return Error{logprob.error()};
      token.logprob = logprob.value();
      position.listed.push_back(std::move(token));
    }
    out.push_back(std::move(position));
  }
  return std::nullopt;
}

// vLLM's lists of {"<id>": {logprob, rank, decoded_token}} (null for the
// prompt's first token); `ids` gives the text's tokens when present.
std::optional<Error> vllm_positions(const json& list, const json* ids, const std::string& path,
                                    const std::string& ids_path, std::vector<ResponsePosition>& out) {
  if (!list.is_array()) return Error{path + ": expected an array of {token id: logprob} objects, got " + kind_of(list)};
  // The text's tokens: JSON objects have no order to trust (vLLM writes the
  // text's token first, but a JavaScript reader sees ids in numeric order).
  if (!present(ids)) {
    return Error{ids_path + ": is missing: without it the text's tokens are unknown (vLLM's server gives it with "
                 "\"return_token_ids\": true; RequestOutput has it)"};
  }
  if (!ids->is_array() || ids->size() != list.size()) {
    return Error{ids_path + ": expected an array of " + std::to_string(list.size()) + " token ids, one per entry of " + path};
  }
  for (std::size_t j = 0; j < list.size(); ++j) {
    const json& dict = list[j];
    if (dict.is_null()) continue;
    ResponsePosition position;
    position.path = indexed(path, j);
    if (!dict.is_object()) return Error{position.path + ": expected an object {token id: logprob}, got " + kind_of(dict)};
    if (dict.empty()) return Error{position.path + ": lists no tokens"};
    for (const auto& item : dict.items()) {
      const std::string item_path = position.path + "." + excerpt(item.key());
      ResponseToken token;
      auto key = id_key(std::string_view(item.key()), item_path);
      if (!key.ok()) return Error{key.error()};
      token.key = std::move(key).value();
      const json* logprob = &item.value();
      if (item.value().is_object()) {
        logprob = member(&item.value(), "logprob");
        if (!present(logprob)) return Error{item_path + ".logprob: is missing"};
        const json* rank = member(&item.value(), "rank");
        if (present(rank)) {
          if (!rank->is_number_integer() || rank->get<std::int64_t>() < 1) return Error{item_path + ".rank: expected an integer >= 1"};
          token.rank = rank->get<std::int64_t>();
        }
      }
      auto value = logprob_of(*logprob, item_path + (item.value().is_object() ? ".logprob" : ""));
      if (!value.ok()) return Error{value.error()};
      token.logprob = value.value();
      position.listed.push_back(std::move(token));
    }
    auto key = id_key((*ids)[j], indexed(ids_path, j));
    if (!key.ok()) return Error{key.error()};
    const std::string chosen = std::move(key).value();
    const auto found = std::find_if(position.listed.begin(), position.listed.end(),
                                    [&](const ResponseToken& token) { return token.key == chosen; });
    if (found == position.listed.end()) {
      return Error{position.path + ": does not list the text's token " + describe_token(chosen) +
                   " (vLLM lists it at every position)"};
    }
    position.chosen = *found;
    out.push_back(std::move(position));
  }
  return std::nullopt;
}

// SGLang: [logprob, token_id, text] triples, the first input one with a null
// log-probability, and per position a list of such triples (or null).
std::optional<Error> sglang_positions(const json& tokens, const json* tops, const std::string& path,
                                      const std::string& top_path, std::vector<ResponsePosition>& out) {
  if (!tokens.is_array()) return Error{path + ": expected an array of [logprob, token_id, text], got " + kind_of(tokens)};
  if (!present(tops)) {
    return Error{top_path + ": is missing: ask for the top log-probabilities (\"top_logprobs_num\": 20)"};
  }
  if (!tops->is_array() || tops->size() != tokens.size()) {
    return Error{top_path + ": expected an array of " + std::to_string(tokens.size()) + " entries, one per entry of " + path};
  }
  auto triple = [](const json& value, const std::string& where, ResponseToken& token, bool& null_logprob) -> std::optional<Error> {
    if (!value.is_array() || value.size() < 2) return Error{where + ": expected [logprob, token_id, text], got " + kind_of(value)};
    auto key = id_key(value[1], where + "[1]");
    if (!key.ok()) return Error{key.error()};
    token.key = std::move(key).value();
    null_logprob = value[0].is_null();
    if (null_logprob) return std::nullopt;
    auto logprob = logprob_of(value[0], where + "[0]");
    if (!logprob.ok()) return Error{logprob.error()};
    token.logprob = logprob.value();
    return std::nullopt;
  };
  for (std::size_t j = 0; j < tokens.size(); ++j) {
    ResponsePosition position;
    position.path = indexed(path, j);
    bool null_logprob = false;
    if (auto error = triple(tokens[j], position.path, position.chosen, null_logprob)) return error;
    const json& top = (*tops)[j];
    const bool no_top = top.is_null() || (top.is_array() && top.empty());
    if (null_logprob && no_top) continue;  // the prompt's first token
    if (null_logprob) return Error{position.path + "[0]: is null but " + indexed(top_path, j) + " lists tokens"};
    if (no_top) {
      return Error{indexed(top_path, j) + ": lists no tokens: ask for the top log-probabilities (\"top_logprobs_num\": 20)"};
    }
    if (!top.is_array()) return Error{indexed(top_path, j) + ": expected an array of [logprob, token_id, text], got " + kind_of(top)};
    for (std::size_t i = 0; i < top.size(); ++i) {
      ResponseToken token;
      bool null_listed = false;
      const std::string where = indexed(indexed(top_path, j), i);
      if (auto error = triple(top[i], where, token, null_listed)) return error;
      if (null_listed) return Error{where + "[0]: is null"};
      position.listed.push_back(std::move(token));
    }
    out.push_back(std::move(position));
  }
  return std::nullopt;
}

// Makes `listed` a list of the most likely tokens (README "Engine files").
// Formats that list the text's token beside the top k (completions: "up to
// logprobs + 1 elements"; vLLM's dicts; vLLM's chat top_logprobs, the first
// k of [text's token, top 1, ..., top k]) do not say whether it is one of
// the k: when it may be an extra entry (it is the smallest listed, or
// vLLM's rank puts it beyond the list), it is dropped and the rest is a
// top-(k') list; when it is the only entry, nothing bounds the unlisted
// tokens but their total mass (unlisted = any).
std::optional<Error> normalise(ResponsePosition& position) {
  auto& listed = position.listed;
  if (listed.empty()) return Error{position.path + ": lists no tokens: ask for at least one top log-probability"};
  std::vector<std::string> keys;
  for (const ResponseToken& token : listed) keys.push_back(token.key);
  std::sort(keys.begin(), keys.end());
  if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end()) {
    std::string message = position.path + ": lists " + describe_token(*twice) + " twice";
    if (twice->starts_with("s:")) {
      message += ": token texts do not tell these tokens apart; ask for token ids (vLLM: \"return_tokens_as_token_ids\": true)";
    }
    return Error{message};
  }
  double sum = 0.0;
  for (const ResponseToken& token : listed) sum += std::exp(token.logprob);
  if (sum > 1.0 + kSumSlack) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", sum);  // 6 digits: exp() rounds its last ones variously
    return Error{position.path + ": the listed probabilities sum to " + text + ", more than 1"};
  }
  const auto found = std::find_if(listed.begin(), listed.end(), [&](const ResponseToken& token) { return token.key == position.chosen.key; });
  if (found == listed.end()) {
    double smallest = INFINITY;
    for (const ResponseToken& token : listed) smallest = std::min(smallest, token.logprob);
    if (position.chosen.logprob > smallest + kPositiveSlack) {
      return Error{position.path + ": the text's token " + describe_token(position.chosen.key) + " has log-probability " +
                   format_number(position.chosen.logprob) + ", above the smallest listed one (" + format_number(smallest) +
                   "), yet it is not listed: the list is not the most likely tokens"};
    }
    return std::nullopt;
  }
  position.chosen.logprob = found->logprob;
  const std::optional<std::int64_t> rank = position.chosen.rank ? position.chosen.rank : found->rank;
  bool drop;
  if (rank) {
    drop = *rank > static_cast<std::int64_t>(listed.size());
  } else if (listed.size() == 1) {
    position.top_k = false;
    return std::nullopt;
  } else {
    drop = std::all_of(listed.begin(), listed.end(), [&](const ResponseToken& token) {
      return &token == &*found || token.logprob >= found->logprob;
    });
  }
  if (drop) {
    listed.erase(found);
    if (listed.empty()) {
      return Error{position.path + ": lists only the text's token (rank " + std::to_string(*rank) +
                   "): no most likely tokens at this position; ask for at least one top log-probability"};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string describe_token(const std::string& key) {
  if (key.starts_with("#")) return "token " + key.substr(1);
  return "\"" + excerpt(std::string_view(key).substr(2)) + "\"";
}

Expected<std::vector<ResponsePosition>> parse_engine_response(std::string_view line) {
  // The project's reader: it says where the syntax broke and refuses a key
  // given twice (a top_logprobs object would silently lose a token).
  auto parsed = parse_ordered_json_document(line);
  if (!parsed.ok()) return Error{parsed.error()};
  const json document = std::move(parsed).value();
  if (!document.is_object()) return Error{"a line must be one response (a JSON object), got " + kind_of(document)};
  std::vector<ResponsePosition> positions;
  const json* top = &document;
  if (const json* choices = member(top, "choices")) {
    if (!choices->is_array() || choices->empty()) return Error{"choices: expected a non-empty array"};
    const json* choice = &(*choices)[0];
    if (!choice->is_object()) return Error{"choices[0]: expected an object, got " + kind_of(*choice)};
    std::vector<ResponsePosition> generated;
    bool echo = false;
    const json* logprobs = member(choice, "logprobs");
    if (present(logprobs)) {
      const std::string path = "choices[0].logprobs";
      if (!logprobs->is_object()) return Error{path + ": expected an object, got " + kind_of(*logprobs)};
      if (const json* content = member(logprobs, "content")) {
        if (!present(content)) return Error{path + ".content: is null: the response has no log-probabilities"};
        if (auto error = entry_positions(*content, path + ".content", generated)) return *error;
      } else if (present(member(logprobs, "tokens"))) {
        if (auto error = completion_positions(*logprobs, path, generated, echo)) return *error;
      } else {
        return Error{path + ": has neither content (chat) nor tokens (completions)"};
      }
    }
    // vLLM's prompt log-probabilities: in the choice (completions) or at the
    // top (chat); echo already gives the prompt in logprobs.
    const bool in_choice = present(member(choice, "prompt_logprobs"));
    const json* prompt = in_choice ? member(choice, "prompt_logprobs") : member(top, "prompt_logprobs");
    if (present(prompt) && !echo) {
      const std::string path = in_choice ? "choices[0].prompt_logprobs" : "prompt_logprobs";
      const json* ids = in_choice ? member(choice, "prompt_token_ids") : member(top, "prompt_token_ids");
      if (!present(ids)) ids = member(top, "prompt_token_ids");
      if (auto error = vllm_positions(*prompt, ids, path, in_choice ? "choices[0].prompt_token_ids" : "prompt_token_ids", positions)) {
        return *error;
      }
    }
    positions.insert(positions.end(), std::make_move_iterator(generated.begin()), std::make_move_iterator(generated.end()));
    if (positions.empty()) {
      return Error{"choices[0]: the response has no log-probabilities (completions: \"logprobs\": 20 with \"echo\": true "
                   "and \"max_tokens\": 0; vLLM: \"prompt_logprobs\": 20; chat: \"logprobs\": true, \"top_logprobs\": 20)"};
    }
  } else if (const json* probabilities = member(top, "completion_probabilities")) {
    if (auto error = entry_positions(*probabilities, "completion_probabilities", positions)) return *error;
    if (positions.empty()) return Error{"completion_probabilities: is empty: ask for them with \"n_probs\": 20"};
  } else if (const json* meta = member(top, "meta_info")) {
    const std::string path = "meta_info";
    if (!meta->is_object()) return Error{path + ": expected an object, got " + kind_of(*meta)};
    for (const char* part : {"input", "output"}) {
      const std::string name = std::string(part) + "_token_logprobs", top_name = std::string(part) + "_top_logprobs";
      if (const json* tokens = member(meta, name.c_str()); present(tokens)) {
        if (auto error = sglang_positions(*tokens, member(meta, top_name.c_str()), path + "." + name, path + "." + top_name, positions)) {
          return *error;
        }
      }
    }
    if (positions.empty()) {
      return Error{path + ": the response has no log-probabilities (\"return_logprob\": true, \"top_logprobs_num\": 20, "
                   "and \"logprob_start_len\": 0 for the prompt's)"};
    }
  } else if (member(top, "prompt_logprobs") || member(top, "logprobs") || member(top, "outputs")) {
    // vLLM's RequestOutput: the prompt, then the first output.
    if (const json* prompt = member(top, "prompt_logprobs"); present(prompt)) {
      if (auto error = vllm_positions(*prompt, member(top, "prompt_token_ids"), "prompt_logprobs", "prompt_token_ids", positions)) {
        return *error;
      }
    }
    const json* output = top;
    std::string prefix;
    if (const json* outputs = member(top, "outputs"); present(outputs)) {
      if (!outputs->is_array() || outputs->empty()) return Error{"outputs: expected a non-empty array"};
      output = &(*outputs)[0];
      prefix = "outputs[0].";
    }
    if (const json* logprobs = member(output, "logprobs"); present(logprobs)) {
      if (auto error = vllm_positions(*logprobs, member(output, "token_ids"), prefix + "logprobs", prefix + "token_ids", positions)) {
        return *error;
      }
    }
    if (positions.empty()) {
      return Error{"the response has no log-probabilities (vLLM: SamplingParams(prompt_logprobs=20) or logprobs=20)"};
    }
  } else {
    return Error{"not an engine response: expected choices (OpenAI-compatible), completion_probabilities (llama.cpp), "
                 "meta_info (SGLang) or prompt_logprobs/outputs (vLLM); a JSON Lines file of {\"target\", \"draft\"} "
                 "positions is given alone"};
  }
  for (ResponsePosition& position : positions) {
    if (auto error = normalise(position)) return *error;
  }
  return positions;
}

Expected<SparsePair> pair_positions(const ResponsePosition& target, const ResponsePosition& draft, std::int64_t vocab) {
  if (target.chosen.key != draft.chosen.key) {
    std::string message = "the text's tokens differ: the target's " + target.path + " is " + describe_token(target.chosen.key) +
                          ", the draft's " + draft.path + " is " + describe_token(draft.chosen.key) +
                          ": the draft must score the target's text, token for token";
    if (target.chosen.key[0] != draft.chosen.key[0]) message += " (one side gives token ids, the other token texts)";
    return Error{message};
  }
  bool ids = true;
  for (const ResponsePosition* side : {&target, &draft}) {
    for (const ResponseToken& token : side->listed) ids = ids && token.key.starts_with("#");
  }
  // Tokens known by text are numbered in the byte order of their texts, so
  // that the numbering depends on nothing but the position's tokens.
  std::map<std::string, std::int64_t> interned;
  if (!ids) {
    for (const ResponsePosition* side : {&target, &draft}) {
      for (const ResponseToken& token : side->listed) interned.emplace(token.key, 0);
    }
    std::int64_t next = 0;
    for (auto& entry : interned) entry.second = next++;
  }
  auto id_of = [&](const std::string& key) -> std::int64_t { return ids ? std::stoll(key.substr(1)) : interned.at(key); };
  SparsePair pair;
  for (auto [side, spec] : {std::pair{&target, &pair.target}, std::pair{&draft, &pair.draft}}) {
    spec->kind = DistributionSpec::Kind::sparse;
    SparseListSpec& sparse = spec->sparse;
    sparse.log = true;
    sparse.unlisted = side->top_k ? SparseListSpec::Unlisted::top_k : SparseListSpec::Unlisted::any;
    sparse.vocab = vocab;
    // In the order of the ids, whatever order the response lists them in.
    std::vector<std::pair<std::int64_t, double>> entries;
    for (const ResponseToken& token : side->listed) {
      entries.emplace_back(id_of(token.key), token.logprob);
      if (vocab > 0 && ids && entries.back().first >= vocab) {
        return Error{std::string(side == &target ? "target " : "draft ") + side->path + ": token id " +
                     std::to_string(entries.back().first) + " is not below the vocabulary size " + std::to_string(vocab)};
      }
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& [id, logprob] : entries) {
      sparse.ids.push_back(id);
      sparse.values.push_back(logprob);
    }
  }
  if (vocab > 0 && !ids && static_cast<std::int64_t>(interned.size()) > vocab) {
    return Error{"target and draft list " + std::to_string(interned.size()) + " different tokens, more than the vocabulary size " +
                 std::to_string(vocab)};
  }
  return pair;
}

Expected<std::unique_ptr<ResponsePairReader>> ResponsePairReader::open(const std::string& target, const std::string& draft,
                                                                       std::int64_t vocab) {
  std::unique_ptr<ResponsePairReader> reader(new ResponsePairReader());
  for (auto [side, name] : {std::pair{&reader->target_, &target}, std::pair{&reader->draft_, &draft}}) {
    side->name = *name;
    side->file.open(*name, std::ios::binary);
    if (!side->file) return Error{*name + ": cannot be opened"};
  }
  reader->vocab_ = vocab;
  return reader;
}

Expected<bool> ResponsePairReader::read_response(Side& side) {
  side.positions.clear();
  std::string line;
  while (std::getline(side.file, line)) {
    ++side.line;
    const std::string where = side.name + ":" + std::to_string(side.line);
    if (auto stray = take_byte_order_mark(line, side.line)) return Error{where + ": " + *stray};
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (static_cast<std::int64_t>(line.size()) > limits::kMaxRequestBytes) {
      return Error{where + ": the line is longer than the limit of " + std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)"};
    }
    auto positions = parse_engine_response(line);
    if (!positions.ok()) return Error{where + ": " + positions.error()};
    side.positions = std::move(positions).value();
    return true;
  }
  if (side.file.bad()) return Error{side.name + ": read failed after line " + std::to_string(side.line)};
  return false;
}

Expected<bool> ResponsePairReader::next(DistributionSpec& target, DistributionSpec& draft, std::string& where) {
  while (next_ >= target_.positions.size()) {
    auto has_target = read_response(target_);
    if (!has_target.ok()) return Error{has_target.error()};
    auto has_draft = read_response(draft_);
    if (!has_draft.ok()) return Error{has_draft.error()};
    if (!has_target.value() && !has_draft.value()) return false;
    if (has_target.value() != has_draft.value()) {
      const Side& ended = has_target.value() ? draft_ : target_;
      const Side& longer = has_target.value() ? target_ : draft_;
      return Error{ended.name + ": ends after line " + std::to_string(ended.line) + ", but " + longer.name + ":" +
                   std::to_string(longer.line) + " holds another response: both files need one response per text"};
    }
    if (target_.positions.size() != draft_.positions.size()) {
      return Error{target_.name + ":" + std::to_string(target_.line) + " has " + std::to_string(target_.positions.size()) +
                   " positions but " + draft_.name + ":" + std::to_string(draft_.line) + " has " +
                   std::to_string(draft_.positions.size()) + ": the draft's response must score exactly the target's text"};
    }
    next_ = 0;
  }
  where = target_.name + ":" + std::to_string(target_.line) + ", " + draft_.name + ":" + std::to_string(draft_.line) +
          " position " + std::to_string(next_);
  auto pair = pair_positions(target_.positions[next_], draft_.positions[next_], vocab_);
  if (!pair.ok()) return Error{where + ": " + pair.error()};
  target = std::move(pair.value().target);
  draft = std::move(pair.value().draft);
  ++next_;
  return true;
}

}  // namespace mdsd
