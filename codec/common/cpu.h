// Instruction-set levels the integer kernels are written for, what this CPU has, and the cap a
// context may put on them (`vaec --cpu`, VaecSettings.cpu; like dav1d's --cpumask). Every level
// computes the same integers (docs/bitstream.md "Integer synthesis"); the cap only exists to
// check that, and to compare speed.
#pragma once

#include <string>

namespace vaec {

enum class CpuLevel {
  kAuto = 0,     // the best this CPU has
  kGeneric = 1,  // portable C++ (whatever the compiler makes of it)
  kAvx2 = 2,     // AVX2: vpmaddwd
  kAvx512 = 3,   // AVX-512 F/BW/DQ/VL with VNNI: vpdpwssd
};

// The best level this CPU (and operating system) supports.
CpuLevel detected_cpu_level();
// The level to run with under `cap`: the detected one for kAuto, else `cap` itself.
// Throws std::invalid_argument naming the missing instructions when the CPU lacks `cap`.
CpuLevel resolve_cpu_level(CpuLevel cap);

const char* cpu_level_name(CpuLevel level);  // "auto", "generic", "avx2", "avx512"
// Parses a name of cpu_level_name(); false for anything else.
bool parse_cpu_level(const std::string& name, CpuLevel* level);

}  // namespace vaec
