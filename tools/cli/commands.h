// The `vaec` subcommands. Each cmd_NAME.cpp defines one register function that adds its
// subcommand to the app and sets its callback; main.cpp calls them all.
#pragma once

#include <CLI/CLI.hpp>

namespace vaec::cli {

// Options that every subcommand sees. `--threads` is accepted before or after the subcommand.
struct GlobalOptions {
  int threads = 0;     // 0: all available cores
  bool quiet = false;  // no progress output
  std::string cpu = "auto";  // --cpu, applied through set_session_cpu()
  int resolved_threads() const;
};

void register_encode(CLI::App& app, GlobalOptions& global);
void register_decode(CLI::App& app, GlobalOptions& global);
void register_eval(CLI::App& app, GlobalOptions& global);
void register_info(CLI::App& app, GlobalOptions& global);
void register_train(CLI::App& app, GlobalOptions& global);
void register_convert(CLI::App& app, GlobalOptions& global);
void register_bench(CLI::App& app, GlobalOptions& global);
void register_concat(CLI::App& app, GlobalOptions& global);

// Adds --threads, --quiet and --cpu to a subcommand so they work after it too.
void add_global_options(CLI::App& sub, GlobalOptions& global);

// Thrown by a subcommand to exit with `code` after printing `what()` as one line.
struct CommandError : std::runtime_error {
  int code;
  explicit CommandError(const std::string& message, int exit_code = 1)
      : std::runtime_error(message), code(exit_code) {}
};

}  // namespace vaec::cli
