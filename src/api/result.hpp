// The result of one request rendered as JSON (README.md "Result").
#pragma once

#include "calculation/calculate.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mdsd {


nlohmann::ordered_json to_json(const Result& result);

}  // namespace mdsd
