#include "tools/command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace rmb::tools {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> commands;  // function-local: safe during static init
  return commands;
}

std::string help_hint(const std::string& path) { return "see '" + path + " --help'"; }

std::string list_commands(const std::vector<Command>& commands) {
  size_t width = 0;
  for (const auto& c : commands) width = std::max(width, c.name.size());
  std::string out;
  for (const auto& c : commands) {
    out += "  " + c.name + std::string(width - c.name.size() + 3, ' ') + c.summary + "\n";
  }
  return out;
}

}  // namespace

Invocation Invocation::sub(const std::string& name) const {
  Invocation out{path + " " + name, {}};
  if (!args.empty()) out.args.assign(args.begin() + 1, args.end());
  return out;
}

CliError usage_error(const Invocation& inv, const std::string& message) {
  return CliError(kExitUsage, message, help_hint(inv.path));
}

CliError failure(const std::string& message, std::string hint) {
  return CliError(kExitFailure, message, std::move(hint));
}

void register_command(Command command) {
  auto& commands = registry();
  auto pos = std::lower_bound(commands.begin(), commands.end(), command.name,
                              [](const Command& c, const std::string& n) { return c.name < n; });
  commands.insert(pos, std::move(command));
}

const std::vector<Command>& registered_commands() { return registry(); }

int dispatch(const Invocation& inv, const std::string& summary, const std::vector<Command>& subcommands) {
  const std::string help = summary + "\n\nUsage: " + inv.path + " <command> [options]\n\nCommands:\n" +
                           list_commands(subcommands) + "\nRun '" + inv.path +
                           " <command> --help' for a command's options.\n";
  if (inv.args.empty()) throw usage_error(inv, "missing command");
  const std::string& name = inv.args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    print_out(help);
    return kExitOk;
  }
  for (const auto& c : subcommands) {
    if (c.name == name) return c.run(inv.sub(name));
  }
  if (name.starts_with("-")) throw usage_error(inv, "expected a command before option '" + name + "'");
  throw usage_error(inv, "unknown command '" + name + "'");
}

std::optional<po::variables_map> parse_options(const Invocation& inv, const std::string& summary,
                                               const std::string& synopsis, const po::options_description& options) {
  po::options_description help_option;
  help_option.add_options()("help,h", "show this help");
  po::options_description all("Options");
  all.add(options).add(help_option);
  po::variables_map vm;
  try {
    // Options may appear once unless declared composing (e.g. --relay).
    po::store(po::command_line_parser(inv.args)
                  .options(all)
                  .positional(po::positional_options_description())  // refuse positionals
                  .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
                  .run(),
              vm);
    if (vm.count("help")) {
      std::ostringstream help;
      help << summary << "\n\nUsage: " << inv.path << (synopsis.empty() ? "" : " ") << synopsis << "\n\n" << all;
      print_out(help.str());
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::too_many_positional_options_error&) {
    throw usage_error(inv, "unexpected argument; this command takes options only");
  } catch (const po::error& e) {
    throw usage_error(inv, e.what());
  }
  return vm;
}

void print_out(const std::string& text) {
  std::cout << text << std::flush;
  if (!std::cout) throw failure("cannot write to standard output");
}

}  // namespace rmb::tools
