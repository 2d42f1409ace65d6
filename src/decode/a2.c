/* The A2 retest rule for square arrays (Kim et al. 2007). */
#include "internal.h"

#include "poolscreen/decode.h"

uint32_t psc_a2_retest(uint32_t r, const uint8_t *row_pos, const uint8_t *col_pos,
                       uint8_t *retest) {
  int any_row = 0, any_col = 0;
  for (uint32_t i = 0; i < r; i++) {
    any_row |= row_pos[i] != 0;
    any_col |= col_pos[i] != 0;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < r; i++)
    for (uint32_t j = 0; j < r; j++) {
      int R = row_pos[i] != 0, C = col_pos[j] != 0;
      retest[i * r + j] = (uint8_t)((R && C) || (R && !any_col) || (C && !any_row));
      n += retest[i * r + j];
    }
  return n;
}
