// vaec_status_str() for the public C API (the rest of the API comes with the codec).
#include "vaec/vaec.h"

extern "C" const char* vaec_status_str(int status) {
  switch (status) {
    case VAEC_OK: return "success";
    case VAEC_EAGAIN: return "try again: send more input or drain output first";
    case VAEC_EOF: return "end of stream";
    case VAEC_EINVAL: return "invalid argument or call sequence";
    case VAEC_ENOMEM: return "out of memory";
    case VAEC_EINVALIDDATA: return "malformed bitstream";
    case VAEC_ECHECKSUM: return "checksum mismatch (corrupt data)";
    case VAEC_ETRUNCATED: return "truncated data";
    case VAEC_ELIMIT: return "value beyond the limits of this build";
    case VAEC_EUNSUPPORTED: return "unsupported stream version or format";
    case VAEC_EMODEL: return "model missing, unreadable or not the stream's model";
    case VAEC_EIO: return "input/output error";
    case VAEC_EINTERNAL: return "internal error";
    default: return "unknown status";
  }
}
