#pragma once
// One federation POST (PROTOCOL.md §6.1 step 5): `POST <scheme>://<domain>/` with the raw
// envelope bytes, connect timeout 2 s, whole request 3 s, TLS with certificate and host
// name verification for https, idle connections kept per domain for reuse.
// Not thread-safe: every call runs on the one executor (a strand) given at construction.
#include <utility>  // before asio's awaitable.hpp, which uses std::exchange (Boost 1.74)

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>

#include "absl/status/statusor.h"
#include "core/net/url.h"
#include "relay/federation/http_federator.h"

namespace rmb::relay {

enum class PostResult {
  kAccepted,  // 202
  kRejected,  // 4xx: permanent, no downvote
  kFailed,    // other status, network error, timeout: downvote, next domain
};

struct PostOutcome {
  PostResult result = PostResult::kFailed;
  unsigned status = 0;  // HTTP status when one was received
  std::string detail;   // for logs
};

// What the answering relay's HTTP status means: 202 accepted, 4xx rejected, anything else
// failed. The answer itself is read by Beast's parser, never past this many body bytes
// (answers are tiny).
inline constexpr uint64_t kMaxFederationAnswerBody = 64 * 1024;
PostOutcome post_outcome(unsigned status);

// The reading of an answer, and whether to go on: the relay's one decision, taken by
// FederationClient::post_on and by fuzz/fuzz_federation_answer.cc, which drives Beast's
// parser over hostile bytes the way the relay's reads do.
//
// The header is read on its own first, and an answer whose content-length is over the limit
// is refused before any of its body is read: Boost 1.74's parser, reading header and body in
// one go, can reserve the announced size before it enforces the body limit (std::bad_alloc on
// `content-length: 7777777777784`).
enum class AnswerRead { kHeader, kBody };  // what was just read
enum class AnswerVerdict {
  kReadBody,  // the header is in and announces no body over the limit: read the body
  kComplete,  // the whole answer is in: its status decides (post_outcome)
  kTooLarge,  // a body over the limit, announced or grown while reading (chunked, unsized):
              // refused (refused_answer), the rest never read
  kFailed,    // the write or a read failed (network, timeout, not HTTP)
};
// The length the answer's header announced (Beast's content_length()), which Beast lets one
// ask only once the header is complete (an assertion otherwise): none before that, when the
// read failed or Beast refused the length while still parsing the header, or when none was
// announced.
template <class Parser>
boost::optional<uint64_t> announced_length(const Parser& parser) {
  return parser.is_header_done() ? parser.content_length() : boost::none;
}
// `ec`: the error of that read (for kHeader also of the request's write); `content_length`:
// announced_length(parser); `limit`: the parser's body_limit.
AnswerVerdict answer_verdict(AnswerRead read, const boost::system::error_code& ec,
                             boost::optional<uint64_t> content_length, uint64_t limit = kMaxFederationAnswerBody);
// A refused answer (kTooLarge): a failure of that domain like any other (downvote, next
// domain, retry), whatever its status says. `content_length`: announced_length(parser).
PostOutcome refused_answer(unsigned status, boost::optional<uint64_t> content_length);

class FederationClient {
 public:
  FederationClient(boost::asio::any_io_executor executor, const FederationOptions& options);
  ~FederationClient();

  boost::asio::awaitable<PostOutcome> post(const std::string& domain, const std::string& body);
  // Drops every idle connection.
  void close_idle();

  struct Conn;

 private:
  boost::asio::awaitable<PostOutcome> post_on(Conn& conn, const std::string& body,
                                              std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<std::unique_ptr<Conn>> open(const std::string& domain, const core::HostPort& ep,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     std::string& error);

  boost::asio::any_io_executor executor_;
  FederationOptions options_;
  // The TLS policy of core/net/tls_client.h, loaded once; its error fails every https POST.
  absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls_;
  std::map<std::string, std::deque<std::unique_ptr<Conn>>> idle_;
};

}  // namespace rmb::relay
