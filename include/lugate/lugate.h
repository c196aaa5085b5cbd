/* SPDX-License-Identifier: MIT */
/* Everything the lugate core offers, for front ends. */
#ifndef LUGATE_LUGATE_H
#define LUGATE_LUGATE_H

#include <lugate/error.h>
#include <lugate/types.h>
#include <lugate/fmt.h>
#include <lugate/sha256.h>
#include <lugate/frame.h>
#include <lugate/table.h>
#include <lugate/manifest.h>
#include <lugate/policy.h>
#include <lugate/check.h>
#include <lugate/fdt_check.h>
#include <lugate/kho.h>
#include <lugate/luo.h>
#include <lugate/image.h>
#include <lugate/bundle.h>
#include <lugate/boot.h>
#include <lugate/cmdline.h>
#include <lugate/stop.h>
#include <lugate/x86_boot.h>
#include <lugate/delivery.h>
#include <lugate/delivery_read.h>

#endif
