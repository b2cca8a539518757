// Command-line options shared by subcommands that read videos: raw .yuv geometry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "io/video_reader.h"

namespace vaec::cli {

struct RawInputOptions {
  std::string size;  // "WxH"
  std::string fps = "25";
  // Parses the strings; throws CommandError when they are malformed.
  io::RawVideoOptions parse() const;
};

void add_raw_input_options(CLI::App& sub, RawInputOptions& raw);

// "30000/1001", "29.97" or "25" → an exact rational; throws CommandError on nonsense.
Rational parse_rate(const std::string& text);

// "a,b,,c" → {"a", "b", "c"}: comma-separated option values.
std::vector<std::string> split_list(const std::string& text);

// Opens a video for reading, turning I/O errors into one-line command errors.
std::unique_ptr<io::VideoReader> open_input(const std::string& path, const RawInputOptions& raw);

}  // namespace vaec::cli
