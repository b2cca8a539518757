// Entry point of the `vaec` command-line tool.
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>

#include "cli/codec_session.h"
#include "cli/commands.h"
#include "common/cpu.h"
#include "common/allocator.h"
#include "io/atomic_file.h"
#include "io/ffmpeg_error.h"

namespace vaec::cli {

int GlobalOptions::resolved_threads() const {
  if (threads > 0) return threads;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
}

// --cpu: a name of common/cpu.h that this CPU supports; applied to every codec session.
static void add_cpu_option(CLI::App& app, GlobalOptions& global) {
  const CLI::Validator supported(
      [](std::string& name) -> std::string {
        vaec::CpuLevel level;
        if (!vaec::parse_cpu_level(name, &level)) return "'" + name + "' is not one of auto, generic, avx2, avx512";
        try {
          vaec::resolve_cpu_level(level);
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
        return "";
      },
      "auto|generic|avx2|avx512");
  app.add_option("--cpu", global.cpu,
                 "Cap the instruction set of the integer synthesis: auto (default), generic, avx2, avx512; "
                 "every level decodes the same pixels")
      ->check(supported)
      ->each([](const std::string& name) {
        vaec::CpuLevel level = vaec::CpuLevel::kAuto;
        vaec::parse_cpu_level(name, &level);
        set_session_cpu(int(level));
      });
}

void add_global_options(CLI::App& sub, GlobalOptions& global) {
  sub.add_option("--threads", global.threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 256));
  sub.add_flag("-q,--quiet", global.quiet, "No progress output on stderr");
  add_cpu_option(sub, global);
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
  add_cpu_option(app, global);

  register_encode(app, global);
  register_decode(app, global);
  register_eval(app, global);
  register_info(app, global);
  register_concat(app, global);
  register_train(app, global);
  register_convert(app, global);
  register_bench(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error 2, as getopt-based tools do (CLI11's own
    // codes, such as 109 for an unknown option, mean nothing to scripts).
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const CommandError& e) {
    std::fprintf(stderr, "vaec: %s\n", e.what());
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vaec: %s\n", e.what());
    return 1;
  }
  return 0;
}
