// `vaec info`: describe a .vae file (lands with the end-to-end codec).
#include <memory>

#include "cli/commands.h"

namespace vaec::cli {
namespace {
struct InfoOptions {
  std::string input;
  bool json = false;
};
}  // namespace

void register_info(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("info", "Print the header and per-frame sizes of a .vae file");
  add_global_options(*sub, global);
  auto o = std::make_shared<InfoOptions>();
  sub->add_option("INPUT", o->input, "Input .vae file")->required();
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->callback([o] {  // `o` must live as long as the parser that fills it
    (void)o;
    throw CommandError("info is not available yet: the .vae reader has not landed in this build", 2);
  });
}

}  // namespace vaec::cli
