// Another relay's answer to a federation POST (relay/federation/http_post.cc): read by
// Beast's HTTP parser, configured as the relay configures it and in the relay's order, from
// bytes arriving in pieces as a socket hands them over: the header alone, then the relay's
// own answer_verdict decides whether the body is read or the answer refused for its size,
// and after the body again; then its status decides accepted / rejected / failed
// (post_outcome). Anything on the network can answer: no input may crash, no body may grow
// past the limit (nor be reserved past it), and the decision follows the status alone.
//
// Input: byte 0 is the size of each piece (0: all at once); the rest is the answer.
#include <algorithm>
#include <cstdint>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "fuzz/harness.h"
#include "relay/federation/http_post.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using Parser = http::response_parser<http::string_body>;

// The bytes a socket hands over, one piece per read.
struct Socket {
  const uint8_t* data;
  size_t size;
  size_t piece;
  size_t at = 0;
};

// Boost 1.74's chunk parser asserts that it is handed at least 5 bytes once it has seen the
// last chunk ("0\r\n", which it leaves unconsumed until the end of the message), although
// fewer are valid and it then asks for more: a debug-only assertion, no memory error (release
// builds, the relay's, read on; fixed upstream in Beast PR 2861). So a chunked body is put in
// steps of 5 bytes at least; a chunked message always ends in 5 or more unconsumed bytes
// ("0\r\n\r\n"), so fewer left at the end of the stream are a message cut short either way.
constexpr size_t kMinChunkedPut = 5;

// As http::read_header (done = header done) and http::read (done = message done) drive the
// parser: put what arrived, read one more piece when it needs more, until done or an error.
template <class Done>
void drive(Parser& parser, beast::flat_buffer& buffer, Socket& socket, beast::error_code& ec, Done done) {
  while (!ec && !done()) {
    const size_t min_put = parser.is_header_done() && parser.chunked() ? kMinChunkedPut : 1;
    if (buffer.size() >= min_put) {
      buffer.consume(parser.put(buffer.data(), ec));
      if (ec != http::error::need_more) continue;
      ec = {};
    }
    if (socket.at == socket.size) {
      // The stream ends: an answer cut short is put_eof, no answer at all is end_of_stream
      // (put_eof asserts that some bytes came).
      if (parser.got_some()) {
        parser.put_eof(ec);
      } else {
        ec = http::error::end_of_stream;
      }
      return;
    }
    const size_t n = std::min(socket.piece, socket.size - socket.at);
    auto room = buffer.prepare(n);
    std::copy_n(socket.data + socket.at, n, static_cast<uint8_t*>(room.data()));
    buffer.commit(n);
    socket.at += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rmb::relay;
  using rmb::fuzz::require;
  if (size == 0) return 0;
  Socket socket{data + 1, size - 1, data[0] == 0 ? size - 1 : data[0]};
  if (socket.piece == 0) return 0;

  Parser parser;
  parser.body_limit(kMaxFederationAnswerBody);
  beast::flat_buffer buffer;  // what arrived and the parser has not taken yet, as in http::read
  beast::error_code ec;
  parser.eager(false);  // as http::async_read_header sets it
  drive(parser, buffer, socket, ec, [&] { return parser.is_header_done(); });
  AnswerVerdict verdict = answer_verdict(AnswerRead::kHeader, ec, announced_length(parser));
  if (verdict == AnswerVerdict::kReadBody) {
    parser.eager(true);  // as http::async_read of the rest sets it
    drive(parser, buffer, socket, ec, [&] { return parser.is_done(); });
    verdict = answer_verdict(AnswerRead::kBody, ec, announced_length(parser));
    require(verdict != AnswerVerdict::kReadBody);
  }
  if (verdict == AnswerVerdict::kTooLarge) {
    const PostOutcome refused = refused_answer(parser.get().result_int(), announced_length(parser));
    require(refused.result == PostResult::kFailed);
    require(parser.get().body().size() <= kMaxFederationAnswerBody);
    return 0;
  }
  if (verdict != AnswerVerdict::kComplete || !parser.is_done()) return 0;

  const auto& res = parser.get();
  require(res.body().size() <= kMaxFederationAnswerBody);
  const PostOutcome outcome = post_outcome(res.result_int());
  require(outcome.status == res.result_int());
  require((outcome.result == PostResult::kAccepted) == (outcome.status == 202));
  require((outcome.result == PostResult::kRejected) == (outcome.status >= 400 && outcome.status < 500));
  return 0;
}
