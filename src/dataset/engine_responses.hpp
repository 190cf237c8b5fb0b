// JSON Lines of inference-engine responses with top-k log-probabilities, one
// file from the target and one from the draft (README.md "Engine files"):
// one response a line, paired line by line, then token position by position.
//
// A line is one of (the first key found decides):
//   "choices"  an OpenAI-compatible response (vLLM, SGLang, llama.cpp's
//              server): choices[0].logprobs.content[] = {token, logprob,
//              bytes, top_logprobs: [{token, logprob, bytes}]} (chat; "id"
//              too from llama.cpp), or choices[0].logprobs = {tokens,
//              token_logprobs, top_logprobs: [{token: logprob}], text_offset}
//              (completions; echo's first, null entry is skipped), after
//              vLLM's prompt_logprobs (choices[0] or top level) unless echo
//              already gives the prompt;
//   "completion_probabilities"  llama.cpp's /completion: [{id, token,
//              logprob, top_logprobs: [{id, token, logprob}]}];
//   "meta_info"  SGLang's /generate: input_token_logprobs with
//              input_top_logprobs, then output_token_logprobs with
//              output_top_logprobs, each entry [logprob, token_id, text];
//   "prompt_logprobs", "logprobs" or "outputs"  vLLM's RequestOutput as JSON:
//              lists of {"<token id>": {logprob, rank, decoded_token}} (null
//              for the first prompt token), with prompt_token_ids /
//              outputs[0].token_ids for the text's tokens.
// Tokens are known by id where the format gives one ("id", a dict key,
// SGLang's token_id, vLLM's "token_id:N" strings of
// return_tokens_as_token_ids), else by their text; a position's ids are then
// assigned in order of appearance, the same for target and draft.
#pragma once

#include "core/distribution.hpp"
#include "core/expected.hpp"

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdsd {

struct ResponseToken {
  std::string key;   // "#123" for token id 123, "s:<text>" for a token known by its text
  double logprob = NAN;
  std::optional<std::int64_t> rank;  // vLLM's rank of the token (1 = most likely), when given
};

// One token position: the token the text has there and the tokens listed
// with their log-probabilities, normalised by parse_engine_response to a
// list of the most likely tokens (README "Engine files": the text's token
// is dropped from the list when it may be an extra entry below the top k).
struct ResponsePosition {
  ResponseToken chosen;
  std::vector<ResponseToken> listed;
  // The listed tokens are the most likely ones (no unlisted token is above
  // the smallest listed); false when only their total is known.
  bool top_k = true;
  std::string path;  // where in the response: "choices[0].logprobs.content[17]"
};

// The positions of one response in text order. Errors start with the path
// in the response ("choices[0].logprobs: ..."); a response without
// log-probabilities, or a position without listed tokens, is an error.
Expected<std::vector<ResponsePosition>> parse_engine_response(std::string_view line);

// "#123" as "token 123", "s:abc" as "\"abc\"" (for messages).
std::string describe_token(const std::string& key);

// The target's and the draft's position as Kind::sparse specs (log
// probabilities, unlisted = top_k, vocab = `vocab`, 0 if unknown) over
// shared ids. The texts' tokens must be the same; the error has no prefix.
struct SparsePair {
  DistributionSpec target, draft;
};
Expected<SparsePair> pair_positions(const ResponsePosition& target, const ResponsePosition& draft, std::int64_t vocab);

// Two JSON Lines files of responses read in step, one position at a time
// (a line pair held at once). Blank lines are skipped; the n-th response of
// one file is paired with the n-th of the other.
class ResponsePairReader {
 public:
  static Expected<std::unique_ptr<ResponsePairReader>> open(const std::string& target, const std::string& draft,
                                                            std::int64_t vocab);
  // False at the end. `where` names both files, their lines and the
  // position ("t.jsonl:3, d.jsonl:3 position 17").
  Expected<bool> next(DistributionSpec& target, DistributionSpec& draft, std::string& where);

 private:
  ResponsePairReader() = default;
  struct Side {
    std::string name;
    std::ifstream file;
    std::int64_t line = 0;
    std::vector<ResponsePosition> positions;
  };
  // The next non-blank line's positions; false at the end of the file.
  Expected<bool> read_response(Side& side);
  Side target_, draft_;
  std::size_t next_ = 0;
  std::int64_t vocab_ = 0;
};

}  // namespace mdsd
