// Entry point of the `vaec` command-line tool.
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>

#include "cli/commands.h"
#include "common/allocator.h"
#include "io/atomic_file.h"
#include "io/ffmpeg_error.h"

namespace vaec::cli {

int GlobalOptions::resolved_threads() const {
  if (threads > 0) return threads;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
}

void add_global_options(CLI::App& sub, GlobalOptions& global) {
  sub.add_option("--threads", global.threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 256));
  sub.add_flag("-q,--quiet", global.quiet, "No progress output on stderr");
}

namespace {
// An interrupted run leaves no half-written output behind.
void on_termination_signal(int sig) {
  vaec::io::remove_pending_temporaries();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

}  // namespace vaec::cli

int main(int argc, char** argv) {
  using namespace vaec::cli;
  vaec::keep_large_buffers_once();  // before any tensor is allocated (common/allocator.h)
  std::signal(SIGINT, on_termination_signal);
  std::signal(SIGTERM, on_termination_signal);
  CLI::App app{"vaec: a learned (VAE) video codec"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vaec 0.1.0");
  GlobalOptions global;
  app.add_option("--threads", global.threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 256));
  app.add_flag("-q,--quiet", global.quiet, "No progress output on stderr");

  register_encode(app, global);
  register_decode(app, global);
  register_eval(app, global);
  register_info(app, global);
  register_train(app, global);
  register_convert(app, global);
  register_bench(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const CommandError& e) {
    std::fprintf(stderr, "vaec: %s\n", e.what());
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vaec: %s\n", e.what());
    return 1;
  }
  return 0;
}
