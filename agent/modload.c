// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and verifying the module through libkmod.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kmod/version.h"
#include "modload.h"

#define DKMS_HINT							\
	"install it with DKMS from the source tree: 'dkms add PATH/TO/ovskvm_autoport' then "\
	"'dkms install ovskvm_autoport/" OVSKVM_VERSION "', or 'make module' and copy "\
	"kmod/ovskvm_autoport.ko to /lib/modules/$(uname -r)/extra/ and run 'depmod -a'"

struct check *checklist_add(struct checklist *cl, enum check_status status,
			    const char *name, const char *fmt, ...)
{
	struct check *c;
	va_list ap;

	if (cl->n == CHECKLIST_MAX)
		return NULL;
	c = &cl->items[cl->n++];
	c->status = status;
	snprintf(c->name, sizeof(c->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

int checklist_print(const struct checklist *cl, FILE *out)
{
	static const char *const tag[] = {
		[CHECK_OK] = " OK ", [CHECK_WARN] = "WARN",
		[CHECK_FAIL] = "FAIL", [CHECK_SKIP] = "SKIP",
	};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < cl->n; i++) {
		const struct check *c = &cl->items[i];

		fprintf(out, "[%s] %s: %s\n", tag[c->status], c->name, c->detail);
		if (c->status == CHECK_FAIL)
			ret = 1;
	}
	return ret;
}

/* The first module an alias or name resolves to, or NULL. */
static struct kmod_module *lookup(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL;
	struct kmod_module *mod = NULL;

	if (kmod_module_new_from_lookup(ctx, name, &list) < 0 || !list)
		return NULL;
	mod = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	return mod;
}

int module_load(struct kmod_ctx *ctx, const char *params, FILE *err)
{
	struct kmod_module *mod;
	int ret, state;

	mod = lookup(ctx, MODULE_NAME);
	if (!mod) {
		fprintf(err, "Error: %s is not installed for this kernel: %s.\n",
			MODULE_NAME, DKMS_HINT);
		return -ENOENT;
	}
	state = kmod_module_get_initstate(mod);
	if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN) {
		if (params && *params)
			fprintf(err, "Warning: %s is already loaded, the parameters '%s' were not applied (unload it first: modprobe -r %s).\n",
				MODULE_NAME, params, MODULE_NAME);
		kmod_module_unref(mod);
		return MODULE_WAS_LOADED;
	}
	ret = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
					      params, NULL, NULL, NULL);
	if (ret > 0) {
		fprintf(err, "Error: %s is blacklisted in /etc/modprobe.d: remove the 'blacklist %s' line to load it.\n",
			MODULE_NAME, MODULE_NAME);
		ret = -EPERM;
	} else if (ret < 0) {
		const char *hint = "";

		if (ret == -ENOEXEC)
			hint = " (built for another kernel? rebuild it: 'dkms autoinstall' or 'make module')";
		else if (ret == -EINVAL)
			hint = " (a bad parameter? see 'modinfo -p " MODULE_NAME "' and dmesg)";
		else if (ret == -EPERM)
			hint = " (needs root; with Secure Boot the module must be signed)";
		else if (ret == -EEXIST)	/* a concurrent load won */
			ret = MODULE_WAS_LOADED;
		if (ret < 0)
			fprintf(err, "Error: loading %s from %s failed: %s%s.\n",
				MODULE_NAME, kmod_module_get_path(mod) ?: "?",
				strerror(-ret), hint);
	}
	kmod_module_unref(mod);
	return ret;
}

/* A modinfo key of MOD, malloc'd, or NULL. */
static char *modinfo(struct kmod_module *mod, const char *key)
{
	struct kmod_list *info = NULL, *l;
	char *val = NULL;

	if (kmod_module_get_info(mod, &info) < 0)
		return NULL;
	kmod_list_foreach(l, info) {
		if (!strcmp(kmod_module_info_get_key(l), key)) {
			val = strdup(kmod_module_info_get_value(l) ?: "");
			break;
		}
	}
	kmod_module_info_free_list(info);
	return val;
}

static int read_sysfs(const char *sysfs, const char *attr, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", sysfs, MODULE_NAME, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static void check_holders(struct kmod_module *mod, struct checklist *cl)
{
	struct kmod_list *holders, *l;
	char names[256] = "";
	size_t o = 0;
	int refcnt = kmod_module_get_refcnt(mod);

	holders = kmod_module_get_holders(mod);
	kmod_list_foreach(l, holders) {
		struct kmod_module *h = kmod_module_get_module(l);

		o += snprintf(names + o, o < sizeof(names) ? sizeof(names) - o : 0,
			      "%s%s", o ? ", " : "", kmod_module_get_name(h));
		kmod_module_unref(h);
	}
	kmod_module_unref_list(holders);
	if (refcnt < 0)
		checklist_add(cl, CHECK_WARN, "references", "cannot read the reference count: %s",
			      strerror(-refcnt));
	else
		checklist_add(cl, CHECK_OK, "references", "refcnt %d, holders: %s",
			      refcnt, names[0] ? names : "none");
}

void module_verify(struct kmod_ctx *ctx, const char *sysfs, const char *release,
		   struct checklist *cl)
{
	struct kmod_module *mod, *ovs;
	char loaded_src[128];
	char *src = NULL, *vermagic = NULL, *version = NULL;
	const char *path;
	int state, ret;

	mod = lookup(ctx, MODULE_NAME);
	path = mod ? kmod_module_get_path(mod) : NULL;
	state = mod ? kmod_module_get_initstate(mod) : -ENOENT;
	if (!mod) {
		checklist_add(cl, CHECK_FAIL, "installed", "%s is not installed for %s: %s",
			      MODULE_NAME, release, DKMS_HINT);
	} else if (!path) {
		checklist_add(cl, CHECK_OK, "installed", "built into the kernel");
	} else {
		version = modinfo(mod, "version");
		checklist_add(cl, CHECK_OK, "installed", "%s (version %s)", path,
			      version ?: "unknown");
	}

	if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN)
		checklist_add(cl, CHECK_OK, "loaded", "live");
	else if (state == KMOD_MODULE_COMING || state == KMOD_MODULE_GOING)
		checklist_add(cl, CHECK_FAIL, "loaded", "%s, not live yet: try again in a moment",
			      state == KMOD_MODULE_COMING ? "coming" : "going");
	else
		checklist_add(cl, CHECK_FAIL, "loaded", "not loaded: run 'ovskvm load'");

	if (mod && path) {
		src = modinfo(mod, "srcversion");
		vermagic = modinfo(mod, "vermagic");
	}
	if (!mod || !path) {
		checklist_add(cl, CHECK_SKIP, "srcversion", "no module file to compare with");
	} else if (state != KMOD_MODULE_LIVE) {
		checklist_add(cl, CHECK_SKIP, "srcversion", "not loaded");
	} else if ((ret = read_sysfs(sysfs, "srcversion", loaded_src, sizeof(loaded_src)))) {
		checklist_add(cl, CHECK_WARN, "srcversion", "cannot read %s/%s/srcversion: %s",
			      sysfs, MODULE_NAME, strerror(-ret));
	} else if (!src) {
		checklist_add(cl, CHECK_WARN, "srcversion", "%s has no srcversion", path);
	} else if (strcmp(src, loaded_src)) {
		checklist_add(cl, CHECK_FAIL, "srcversion",
			      "the loaded module (%s) is not the installed file %s (%s): a stale build is running; reload it: 'modprobe -r %s && ovskvm load'",
			      loaded_src, path, src, MODULE_NAME);
	} else {
		checklist_add(cl, CHECK_OK, "srcversion", "loaded module matches %s (%s)",
			      path, src);
	}

	if (!mod || !path) {
		checklist_add(cl, CHECK_SKIP, "vermagic", "no module file");
	} else {
		size_t n = vermagic ? strcspn(vermagic, " ") : 0;

		if (!vermagic)
			checklist_add(cl, CHECK_FAIL, "vermagic", "%s has no vermagic", path);
		else if (n != strlen(release) || strncmp(vermagic, release, n))
			checklist_add(cl, CHECK_FAIL, "vermagic",
				      "%s was built for %.*s, the running kernel is %s: rebuild it ('dkms autoinstall')",
				      path, (int)n, vermagic, release);
		else
			checklist_add(cl, CHECK_OK, "vermagic", "%s", vermagic);
	}

	if (state == KMOD_MODULE_LIVE)
		check_holders(mod, cl);
	else
		checklist_add(cl, CHECK_SKIP, "references", "not loaded");

	ovs = NULL;
	if (kmod_module_new_from_name(ctx, "openvswitch", &ovs) < 0 || !ovs) {
		checklist_add(cl, CHECK_WARN, "openvswitch", "cannot look it up");
	} else {
		state = kmod_module_get_initstate(ovs);
		if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN)
			checklist_add(cl, CHECK_OK, "openvswitch", "loaded");
		else
			checklist_add(cl, CHECK_WARN, "openvswitch",
				      "not loaded: OVS bridges cannot take ports until Open vSwitch runs (systemctl start openvswitch-switch)");
		kmod_module_unref(ovs);
	}

	free(src);
	free(vermagic);
	free(version);
	if (mod)
		kmod_module_unref(mod);
}
