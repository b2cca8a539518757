/* Compiles the public header as C99 and checks vaec_status_str from C. */
#include <stdio.h>
#include <string.h>

#include "vaec/vaec.h"

int main(void) {
  int failures = 0;
  int s;
  VaecSettings settings;
  VaecPicture picture;
  VaecPacket packet;
  memset(&settings, 0, sizeof settings);
  memset(&picture, 0, sizeof picture);
  memset(&packet, 0, sizeof packet);
  for (s = VAEC_EINTERNAL; s <= VAEC_OK; ++s) {
    const char *text = vaec_status_str(s);
    if (text == NULL || strcmp(text, "unknown status") == 0) {
      printf("status %d has no description\n", s);
      ++failures;
    }
  }
  if (strcmp(vaec_status_str(-1000), "unknown status") != 0) ++failures;
  if (strcmp(vaec_status_str(1), "unknown status") != 0) ++failures;
  return failures == 0 ? 0 : 1;
}
