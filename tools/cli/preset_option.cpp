#include "cli/preset_option.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "vaec/vaec.h"

namespace vaec::cli {

CLI::Option* add_preset_option(CLI::App& sub, int& preset, const std::string& name) {
  // The names of vaec.h, as x264 spells its presets; stored as the VaecPreset number.
  CLI::Validator to_number(
      [](std::string& value) -> std::string {
        std::string lower = value;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        for (int p = VAEC_PRESET_FAST; p <= VAEC_PRESET_VERYSLOW; ++p)
          if (lower == vaec_preset_name(p)) {
            value = std::to_string(p);
            return "";
          }
        return "'" + value + "' is not a preset: use fast, medium, slow or veryslow";
      },
      "", "preset name");
  if (preset == VAEC_PRESET_DEFAULT) preset = VAEC_PRESET_MEDIUM;
  return sub
      .add_option(name, preset,
                  "Encoding time against compression, as x264's presets: fast (the narrow model, faster "
                  "to code and decode), medium, slow (+ I-frame latents optimised for the picture), veryslow (a "
                  "longer optimization); every preset sends a synthesis update per GOP (bitstream 5.0); "
                  "docs/presets.md")
      ->transform(to_number)
      ->type_name("fast|medium|slow|veryslow")
      ->default_str("medium");
}

}  // namespace vaec::cli
