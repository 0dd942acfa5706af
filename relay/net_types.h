#pragma once
// The concrete I/O types of the relay's connections. Every connection runs on its own
// strand of the server's io_context; naming that executor type (instead of Asio's default
// type-erased any_io_executor) lets every handler dispatch without the type erasure,
// which was a sixth of the relay's CPU at high message rates.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace rmb::relay {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;
// HTTP requests and the TLS layer use Beast's stream for its timeouts.
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp, Strand>;
using TlsStream = boost::beast::ssl_stream<TcpStream>;

}  // namespace rmb::relay
