#pragma once
namespace rmb::gateway::config {
// Reported by --version and Gateway.Info; follows the project version in CMakeLists.txt.
inline constexpr char kPeerVersion[] = "rmb-cpp 0.1.0";
}  // namespace rmb::gateway::config
