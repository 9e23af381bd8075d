/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_MODLOAD_H
#define OVSKVM_MODLOAD_H

#include <stdio.h>

#include <libkmod.h>

#define MODULE_NAME	"ovskvm_autoport"
#define SYSFS_MODULE	"/sys/module"

enum check_status {
	CHECK_OK,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_SKIP,
};

struct check {
	enum check_status status;
	char name[48];
	char detail[320];
};

#define CHECKLIST_MAX	16

struct checklist {
	struct check items[CHECKLIST_MAX];
	unsigned int n;
};

#define MODULE_WAS_LOADED	1

/*
 * Load the module with modprobe semantics (dependencies, blacklist, options
 * from modprobe.d; already loaded is success) and PARAMS ("a=b c=d" or
 * NULL).  Diagnostics go to ERR.  Returns 0 when it loaded the module,
 * MODULE_WAS_LOADED when it was loaded already (or built in), or -errno.
 */
int module_load(struct kmod_ctx *ctx, const char *params, FILE *err);

/*
 * The checks modinfo and lsmod let a person make, for the kernel RELEASE,
 * reading loaded modules under SYSFS (normally /sys/module).  Appends to CL.
 */
void module_verify(struct kmod_ctx *ctx, const char *sysfs, const char *release,
		   struct checklist *cl);

struct check *checklist_add(struct checklist *cl, enum check_status status,
			    const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Print as "[ OK ] name: detail"; returns 0 when nothing failed, else 1. */
int checklist_print(const struct checklist *cl, FILE *out);

#endif
