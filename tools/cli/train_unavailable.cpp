// `vaec train` in a decoder-only build (VAEC_TORCH=OFF): the trainer needs LibTorch, so the
// subcommand only says where to find it. Any arguments are accepted so that the message, not a
// parse error, is what the user sees.
#include "cli/commands.h"

namespace vaec::cli {

void register_train(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("train", "Train the VAE model (not in this decoder-only build)");
  add_global_options(*sub, global);
  sub->allow_extras();
  sub->callback([] {
    throw CommandError(
        "vaec train needs the full build: this vaec was built without LibTorch (-DVAEC_TORCH=OFF) and only "
        "decodes (README.md, \"Decoder-only build\")");
  });
}

}  // namespace vaec::cli
