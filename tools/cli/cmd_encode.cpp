// `vaec encode`: compress a video into a .vae file (lands with the end-to-end codec).
#include <memory>

#include "cli/commands.h"

namespace vaec::cli {
namespace {
struct EncodeOptions {
  std::string input, output;
  int quality = 50;
  int gop = 32;
};
}  // namespace

void register_encode(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("encode", "Compress a video file into a .vae bitstream");
  add_global_options(*sub, global);
  auto o = std::make_shared<EncodeOptions>();
  sub->add_option("INPUT", o->input, "Input video (any format FFmpeg reads; - for stdin)")->required();
  sub->add_option("-o,--output", o->output, "Output .vae file")->required();
  sub->add_option("--quality", o->quality, "Quality 1 (smallest) .. 100 (best)")
      ->check(CLI::Range(1, 100))->capture_default_str();
  sub->add_option("--gop", o->gop, "Intra period in frames")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sub->callback([o] {  // `o` must live as long as the parser that fills it
    (void)o;
    throw CommandError("encode is not available yet: the codec has not landed in this build", 2);
  });
}

}  // namespace vaec::cli
