#include "common/cpu.h"

#include <stdexcept>

namespace vaec {

CpuLevel detected_cpu_level() {
#if defined(__x86_64__) || defined(__i386__)
  // __builtin_cpu_supports also checks that the OS saves the wide registers (XGETBV).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni"))
    return CpuLevel::kAvx512;
  if (__builtin_cpu_supports("avx2")) return CpuLevel::kAvx2;
#endif
  return CpuLevel::kGeneric;
}

CpuLevel resolve_cpu_level(CpuLevel cap) {
  const CpuLevel have = detected_cpu_level();
  if (cap == CpuLevel::kAuto) return have;
  if (int(cap) > int(have))
    throw std::invalid_argument(std::string("this CPU lacks the instructions of --cpu ") + cpu_level_name(cap) +
                                (cap == CpuLevel::kAvx512 ? " (AVX-512 F, BW, DQ, VL and VNNI)" : " (AVX2)") +
                                "; it supports up to " + cpu_level_name(have));
  return cap;
}

const char* cpu_level_name(CpuLevel level) {
  switch (level) {
    case CpuLevel::kAuto: return "auto";
    case CpuLevel::kGeneric: return "generic";
    case CpuLevel::kAvx2: return "avx2";
    case CpuLevel::kAvx512: return "avx512";
  }
  return "?";
}

bool parse_cpu_level(const std::string& name, CpuLevel* level) {
  for (CpuLevel l : {CpuLevel::kAuto, CpuLevel::kGeneric, CpuLevel::kAvx2, CpuLevel::kAvx512})
    if (name == cpu_level_name(l)) {
      *level = l;
      return true;
    }
  return false;
}

}  // namespace vaec
