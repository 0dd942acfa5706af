#pragma once
// Runs tests/interop/crypto/crypto_oracle.py (PyNaCl, `cryptography`, hashlib under the
// system /usr/bin/python3) on a batch of requests and returns its answers.
#include <string>

#include "nlohmann/json.hpp"

namespace rmb::core::interop {

// Fails the current test (and returns an empty array) if the script cannot run.
nlohmann::json ask_oracle(const nlohmann::json& requests);

}  // namespace rmb::core::interop
