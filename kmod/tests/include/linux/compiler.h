/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiler attributes the kernel's lib/glob.c uses, for building it in
 * userspace (see Makefile).  Declarations only: no kernel code lives here.
 */
#ifndef _OVSKVM_SHIM_LINUX_COMPILER_H
#define _OVSKVM_SHIM_LINUX_COMPILER_H

/* A hint for the optimiser only: nothing to test there. */
#define __pure
#define fallthrough	__attribute__((__fallthrough__))

#endif /* _OVSKVM_SHIM_LINUX_COMPILER_H */
