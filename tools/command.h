#pragma once
// The `rmb` command registry. Each command group lives in its own file (cmd_keys.cc,
// cmd_directory.cc; later cmd_devnet.cc, cmd_call.cc, ...) and registers itself with a
// namespace-scope RegisterCommand, so adding a command never touches main.cc.
//
// Exit codes: 0 ok, 1 failure, 2 usage error. Errors are thrown as CliError and printed
// by main as one line on stderr with a hint.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace rmb::tools {

namespace po = boost::program_options;

enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

using Args = std::vector<std::string>;

// One run of a command: its full name ("rmb keys show") and the arguments after it.
struct Invocation {
  std::string path;
  Args args;
  Invocation sub(const std::string& name) const;  // "rmb keys" + "show", args shifted
};

class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& message, std::string hint)
      : std::runtime_error(message), exit_code_(exit_code), hint_(std::move(hint)) {}
  int exit_code() const { return exit_code_; }
  const std::string& hint() const { return hint_; }

 private:
  int exit_code_;
  std::string hint_;
};

// Bad command line (unknown option, missing or conflicting options): exit 2, and the
// hint points at `<path> --help`.
CliError usage_error(const Invocation& inv, const std::string& message);
// The command could not do its job (bad secret, unreadable file, no such twin): exit 1.
CliError failure(const std::string& message, std::string hint = "");

struct Command {
  std::string name;
  std::string summary;  // one line, shown in the parent's --help
  std::function<int(const Invocation&)> run;
};

void register_command(Command command);
const std::vector<Command>& registered_commands();  // sorted by name

struct RegisterCommand {
  explicit RegisterCommand(Command command) { register_command(std::move(command)); }
};

// Runs the subcommand named by the first argument; prints the group's help for --help,
// and throws a usage error for a missing or unknown subcommand.
int dispatch(const Invocation& inv, const std::string& summary, const std::vector<Command>& subcommands);

// Parses `inv.args` against `options` (positional arguments are refused) and adds
// --help. Returns nullopt after printing help to stdout; throws usage errors.
// `synopsis` is the usage line after the command path, e.g. "--file F --id N".
std::optional<po::variables_map> parse_options(const Invocation& inv, const std::string& summary,
                                               const std::string& synopsis, const po::options_description& options);

// Writes `text` to stdout and checks that it got there (a closed pipe is a failure).
void print_out(const std::string& text);

}  // namespace rmb::tools
