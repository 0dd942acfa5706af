#include "bench/relay/nats_client.h"

#include <boost/asio/write.hpp>
#include <charconv>
#include <cstring>

namespace rmb::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// verbose off: no +OK per PUB; pedantic off: no subject checks. Same as the default of
// the official clients.
constexpr std::string_view kConnect =
    "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"rmb-bench\",\"lang\":\"cpp\","
    "\"version\":\"0\",\"protocol\":1}\r\nPING\r\n";
}  // namespace

void NatsClient::connect(uint16_t port, Done ready) {
  ready_ = std::move(ready);
  auto self = shared_from_this();
  socket_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), [self](ErrorCode ec) {
    if (ec) {
      auto ready = std::move(self->ready_);
      self->ended_ = true;
      if (ready) ready(ec);
      return;
    }
    self->socket_.set_option(tcp::no_delay(true), ec);
    self->open_ = true;
    self->read();
  });
}

void NatsClient::read() {
  if (in_.size() - in_used_ < read_chunk_) in_.resize(in_used_ + read_chunk_);
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(in_.data() + in_used_, in_.size() - in_used_), [self](ErrorCode ec, size_t n) {
    if (ec) return self->end(ec);
    self->in_used_ += n;
    if (!self->parse()) return self->end(asio::error::invalid_argument);
    if (!self->ended_) self->read();
  });
}

bool NatsClient::parse() {
  size_t pos = 0;
  while (!ended_) {
    const char* base = in_.data();
    const void* cr = std::memchr(base + pos, '\r', in_used_ - pos);
    if (cr == nullptr) break;
    const size_t cr_at = static_cast<const char*>(cr) - base;
    if (cr_at + 1 >= in_used_) break;  // need the '\n'
    if (base[cr_at + 1] != '\n') return false;
    const std::string_view line(base + pos, cr_at - pos);
    const size_t after_line = cr_at + 2;
    if (line.rfind("MSG ", 0) == 0) {
      // MSG <subject> <sid> [reply-to] <#bytes>
      std::string_view parts[5];
      size_t count = 0;
      std::string_view rest = line.substr(4);
      while (!rest.empty() && count < 5) {
        const size_t space = rest.find(' ');
        if (space != 0) parts[count++] = rest.substr(0, space);
        if (space == std::string_view::npos) break;
        rest.remove_prefix(space + 1);
      }
      if (count != 3 && count != 4) return false;
      size_t size = 0;
      const std::string_view size_text = parts[count - 1];
      auto [p, err] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
      if (err != std::errc() || p != size_text.data() + size_text.size()) return false;
      if (in_used_ < after_line + size + 2) break;  // payload not complete yet
      if (base[after_line + size] != '\r' || base[after_line + size + 1] != '\n') return false;
      if (on_message_) {
        Message m{parts[0], parts[1], count == 4 ? parts[2] : std::string_view(),
                  std::string_view(base + after_line, size)};
        on_message_(m);
      }
      pos = after_line + size + 2;
      continue;
    }
    if (!handle_line(line)) return false;
    pos = after_line;
  }
  if (pos > 0) {
    std::memmove(in_.data(), in_.data() + pos, in_used_ - pos);
    in_used_ -= pos;
  }
  return true;
}

bool NatsClient::handle_line(std::string_view line) {
  if (line.rfind("INFO", 0) == 0) {
    if (!handshaken_ && out_.empty() && writing_.empty()) send_raw(kConnect);
  } else if (line == "PING") {
    send_raw("PONG\r\n");
  } else if (line == "PONG") {
    if (!handshaken_) {
      handshaken_ = true;
      auto ready = std::move(ready_);
      if (ready) ready(ErrorCode());
    } else if (on_pong_) {
      auto handler = on_pong_;  // the handler may replace itself
      handler();
    }
  } else if (line == "+OK") {
  } else if (line.rfind("-ERR", 0) == 0) {
    server_error_ = std::string(line);
    end(asio::error::connection_refused);
  } else {
    return false;
  }
  return true;
}

void NatsClient::subscribe(std::string_view subject, std::string_view sid) {
  out_.append("SUB ").append(subject).append(" ").append(sid).append("\r\n");
  flush();
}

void NatsClient::publish(std::string_view subject, std::string_view reply, std::string_view payload) {
  out_.append("PUB ").append(subject).append(" ");
  if (!reply.empty()) out_.append(reply).append(" ");
  out_.append(std::to_string(payload.size())).append("\r\n").append(payload).append("\r\n");
  flush();
}

void NatsClient::ping() { send_raw("PING\r\n"); }

void NatsClient::send_raw(std::string_view text) {
  out_.append(text);
  flush();
}

void NatsClient::flush() {
  if (!open_ || out_.empty() || !writing_.empty()) return;
  writing_.swap(out_);
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(writing_), [self](ErrorCode ec, size_t) {
    self->writing_.clear();
    if (ec) return self->end(ec);
    self->flush();
  });
}

void NatsClient::end(ErrorCode ec) {
  if (ended_) return;
  ended_ = true;
  open_ = false;
  ErrorCode ignored;
  socket_.close(ignored);
  out_.clear();
  if (ready_) {
    auto ready = std::move(ready_);
    ready(ec ? ec : asio::error::eof);
  }
  if (on_end_) {
    auto on_end = std::move(on_end_);
    on_end(ec);
  }
}

void NatsClient::close() { end(asio::error::operation_aborted); }

}  // namespace rmb::bench
