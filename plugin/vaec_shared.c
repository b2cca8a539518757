/* libvaec.so: the C API of <vaec/vaec.h> and <vaec/vaec_file.h>, made of the static vaecodec
 * library (linked whole; every vaec_* function lives in it). This file only gives the shared
 * library a translation unit of its own. */
#include <vaec/vaec.h>
