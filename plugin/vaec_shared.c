/* libvaec.so: the C API of <vaec/vaec.h>, made of the static vaecodec library (linked whole).
 * vaec_status_str() lives in vaec_bitstream, which is linked normally: this reference pulls it
 * in, so that every function of vaec.h is exported. */
#include <vaec/vaec.h>

__attribute__((used)) static const char *(*const keep_status_str)(int) = vaec_status_str;
