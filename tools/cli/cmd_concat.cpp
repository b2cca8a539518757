// `vaec concat`: joins segments of one video (`vaec encode --start-frame`) into one .vae file.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/vae_files.h"
#include "vaec/vaec_file.h"

namespace vaec::cli {
namespace {

struct ConcatOptions {
  std::vector<std::string> parts;
  std::string output;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using InputFile = std::unique_ptr<std::FILE, FileCloser>;

InputFile open_part(const std::string& path) {
  struct stat st {};
  if (path == "-") throw CommandError("concat reads its parts from files, not from stdin");
  if (::stat(path.c_str(), &st) != 0) throw CommandError(path + ": no such file");
  if (S_ISDIR(st.st_mode)) throw CommandError(path + ": is a directory, not a .vae file");
  InputFile f(std::fopen(path.c_str(), "rb"));
  if (!f) throw CommandError(path + ": cannot open (" + std::strerror(errno) + ")");
  return f;
}

void concat(const ConcatOptions& o, const GlobalOptions& global) {
  std::vector<InputFile> files;
  std::vector<std::FILE*> parts;
  for (const auto& path : o.parts) {
    files.push_back(open_part(path));
    parts.push_back(files.back().get());
  }
  OutputFile output(o.output);
  int failed_part = -1;
  char error[512];
  const int status = vaec_file_concat(output.get(), parts.data(), int(parts.size()), &failed_part, error, sizeof error);
  if (status != VAEC_OK) {
    const std::string what = *error ? error : vaec_status_str(status);
    if (failed_part >= 0) throw CommandError(o.parts[size_t(failed_part)] + ": " + what);
    throw CommandError(o.output + ": " + what);
  }
  const long bytes = output.get() == stdout ? -1 : std::ftell(output.get());
  output.commit();
  if (!global.quiet)
    std::fprintf(stderr, "%s", fmt::format("vaec: joined {} parts into {}{}\n", o.parts.size(), o.output,
                                           bytes >= 0 ? fmt::format(" ({} bytes)", bytes) : "").c_str());
}

}  // namespace

void register_concat(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("concat", "Join segments of one video (vaec encode --start-frame) into one .vae file");
  sub->footer(
      "Parts must come from encodes with the same model, size, frame rate, --quality and --gop, and each must\n"
      "start at the source frame where the one before it ends. Cut on the GOP grid in --quality mode, the\n"
      "result decodes to exactly the pictures of one encode of the whole video (docs/scale-out.md).\n"
      "Example: vaec encode in.mp4 --frames 256 -o a.vae; vaec encode in.mp4 --start-frame 256 -o b.vae;\n"
      "         vaec concat a.vae b.vae -o all.vae");
  add_global_options(*sub, global);
  auto o = std::make_shared<ConcatOptions>();
  sub->add_option("PARTS", o->parts, "Segments (.vae), in order")->required();
  sub->add_option("-o,--output", o->output, "Output .vae file (- for stdout)")->required();
  sub->callback([o, &global] { concat(*o, global); });
}

}  // namespace vaec::cli
