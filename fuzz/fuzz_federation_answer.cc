// Another relay's answer to a federation POST (relay/federation/http_post.cc): read by
// Beast's HTTP parser, configured as the relay configures it, from bytes arriving in pieces
// as a socket hands them over; then its status decides accepted / rejected / failed
// (post_outcome). Anything on the network can answer: no input may crash, no body may grow
// past the limit, and the decision follows the status alone.
//
// Input: byte 0 is the size of each piece (0: all at once); the rest is the answer.
#include <algorithm>
#include <cstdint>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "fuzz/harness.h"
#include "relay/federation/http_post.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using namespace rmb::relay;
  using rmb::fuzz::require;
  if (size == 0) return 0;
  const size_t piece = data[0] == 0 ? size : data[0];
  ++data, --size;

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxFederationAnswerBody);
  parser.eager(true);         // as http::async_read of a whole message sets it
  beast::flat_buffer buffer;  // what arrived and the parser has not taken yet, as in http::read
  beast::error_code ec;
  for (size_t at = 0; at < size && !parser.is_done() && !ec;) {
    const size_t n = std::min(piece, size - at);
    auto room = buffer.prepare(n);
    std::copy_n(data + at, n, static_cast<uint8_t*>(room.data()));
    buffer.commit(n);
    at += n;
    buffer.consume(parser.put(buffer.data(), ec));
    if (ec == http::error::need_more) ec = {};
  }
  // The stream ends: as http::read does, an answer cut short is put_eof, no answer at all is
  // end_of_stream (put_eof asserts that some bytes came).
  if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;

  const auto& res = parser.get();
  require(res.body().size() <= kMaxFederationAnswerBody);
  const PostOutcome outcome = post_outcome(res.result_int());
  require(outcome.status == res.result_int());
  require((outcome.result == PostResult::kAccepted) == (outcome.status == 202));
  require((outcome.result == PostResult::kRejected) == (outcome.status >= 400 && outcome.status < 500));
  return 0;
}
