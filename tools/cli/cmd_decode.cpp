// `vaec decode`: decompress a .vae file into a playable video (lands with the end-to-end codec).
#include <memory>

#include "cli/commands.h"

namespace vaec::cli {
namespace {
struct DecodeOptions {
  std::string input, output;
};
}  // namespace

void register_decode(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("decode", "Decompress a .vae bitstream into .y4m, .mp4 or .mkv");
  add_global_options(*sub, global);
  auto o = std::make_shared<DecodeOptions>();
  sub->add_option("INPUT", o->input, "Input .vae file (- for stdin)")->required();
  sub->add_option("-o,--output", o->output,
                  "Output video: .y4m (raw), .mp4 (H.264, visually lossless) or .mkv (FFV1, lossless)")
      ->required();
  sub->callback([o] {  // `o` must live as long as the parser that fills it
    (void)o;
    throw CommandError("decode is not available yet: the codec has not landed in this build", 2);
  });
}

}  // namespace vaec::cli
