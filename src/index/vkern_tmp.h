/* vkern_tmp.h - TEMPORARY typed distance sums (issue 15, part H), standing
 * in for the typed kernels of distance.h until they land; deleted then.
 * Same contract: both operands of type t, n components, any alignment.
 * FLOAT16/BFLOAT16 are widened to float32 exactly and summed by the
 * FLOAT32 kernel; INT8/UINT8 sum exactly in int32. */
#ifndef VS_INDEX_VKERN_TMP_H
#define VS_INDEX_VKERN_TMP_H

#include <stdint.h>

#include "index/distance.h"

vs_vsum_fn vs_l2sq_of(vs_vectype t);
vs_vsum_fn vs_dot_of(vs_vectype t);
float vs_f16_to_f32(uint16_t h);
float vs_bf16_to_f32(uint16_t h);

#endif
