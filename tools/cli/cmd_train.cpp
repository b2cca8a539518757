// `vaec train`: placeholder until the model and trainer land (tools/train/ replaces this file).
#include "cli/commands.h"

namespace vaec::cli {

void register_train(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("train", "Train the VAE model from folders of images and videos");
  add_global_options(*sub, global);
  sub->callback([] {
    throw CommandError("train is not available yet: the model has not landed in this build", 2);
  });
}

}  // namespace vaec::cli
