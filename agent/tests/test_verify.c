// SPDX-License-Identifier: GPL-2.0
/*
 * `ovskvm load` and `ovskvm verify` logic with libkmod wrapped: every kmod_*
 * call the code makes lands here (tests/test_verify.wrap) and answers from a
 * fake module table or from cmocka's will_return() queue.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "modload.h"

/*
 * Opaque libkmod objects are pointers into these arrays: a module is a
 * struct fake_mod, a list entry a struct fake_entry chained by index.
 */
struct fake_mod {
	const char *name;
	const char *path;
	int initstate;
	int refcnt;
	const char *info[3][2];		/* modinfo key/value */
	const char *holder;
};

struct fake_entry {
	struct fake_mod *mod;		/* a module list entry */
	const char *key, *value;	/* an info list entry */
	struct fake_entry *next;
};

static struct fake_mod autoport, ovs, kvm_holder;
static struct fake_entry entries[16];
static unsigned int n_entries;
static int refs;			/* modules handed out minus unref'd */
static int lists;			/* lists handed out minus freed */

static struct fake_entry *entry(void)
{
	assert_true(n_entries < 16);
	memset(&entries[n_entries], 0, sizeof(entries[0]));
	return &entries[n_entries++];
}

int __wrap_kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *alias,
				       struct kmod_list **list)
{
	struct fake_entry *e;

	assert_string_equal(alias, MODULE_NAME);
	*list = NULL;
	if (!autoport.name)
		return 0;	/* found nothing: an empty list */
	e = entry();
	e->mod = &autoport;
	*list = (struct kmod_list *)e;
	lists++;
	return 0;
}

int __wrap_kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name,
				     struct kmod_module **mod)
{
	assert_string_equal(name, "openvswitch");
	*mod = (struct kmod_module *)&ovs;
	refs++;
	return 0;
}

struct kmod_module *__wrap_kmod_module_get_module(const struct kmod_list *entry)
{
	refs++;
	return (struct kmod_module *)((const struct fake_entry *)entry)->mod;
}

int __wrap_kmod_module_unref_list(struct kmod_list *list)
{
	if (list)
		lists--;
	return 0;
}

struct kmod_module *__wrap_kmod_module_unref(struct kmod_module *mod)
{
	refs--;
	return NULL;
}

struct kmod_list *__wrap_kmod_list_next(const struct kmod_list *list,
					const struct kmod_list *curr)
{
	return (struct kmod_list *)((const struct fake_entry *)curr)->next;
}

const char *__wrap_kmod_module_get_path(const struct kmod_module *mod)
{
	return ((const struct fake_mod *)mod)->path;
}

const char *__wrap_kmod_module_get_name(const struct kmod_module *mod)
{
	return ((const struct fake_mod *)mod)->name;
}

int __wrap_kmod_module_get_initstate(const struct kmod_module *mod)
{
	return ((const struct fake_mod *)mod)->initstate;
}

int __wrap_kmod_module_get_refcnt(const struct kmod_module *mod)
{
	return ((const struct fake_mod *)mod)->refcnt;
}

int __wrap_kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list)
{
	const struct fake_mod *m = (const struct fake_mod *)mod;
	struct fake_entry *first = NULL, *prev = NULL;
	int i;

	for (i = 0; i < 3 && m->info[i][0]; i++) {
		struct fake_entry *e = entry();

		e->key = m->info[i][0];
		e->value = m->info[i][1];
		if (prev)
			prev->next = e;
		else
			first = e;
		prev = e;
	}
	*list = (struct kmod_list *)first;
	if (first)
		lists++;
	return i;
}

const char *__wrap_kmod_module_info_get_key(const struct kmod_list *entry)
{
	return ((const struct fake_entry *)entry)->key;
}

const char *__wrap_kmod_module_info_get_value(const struct kmod_list *entry)
{
	return ((const struct fake_entry *)entry)->value;
}

void __wrap_kmod_module_info_free_list(struct kmod_list *list)
{
	if (list)
		lists--;
}

struct kmod_list *__wrap_kmod_module_get_holders(const struct kmod_module *mod)
{
	const struct fake_mod *m = (const struct fake_mod *)mod;
	struct fake_entry *e;

	if (!m->holder)
		return NULL;
	e = entry();
	kvm_holder.name = m->holder;
	e->mod = &kvm_holder;
	lists++;
	return (struct kmod_list *)e;
}

int __wrap_kmod_module_probe_insert_module(struct kmod_module *mod, unsigned int flags,
					   const char *extra_options,
					   int (*run_install)(struct kmod_module *, const char *, void *),
					   const void *data,
					   void (*print_action)(struct kmod_module *, bool, const char *))
{
	assert_ptr_equal(mod, &autoport);
	assert_int_equal(flags, KMOD_PROBE_APPLY_BLACKLIST);
	check_expected_ptr(extra_options);
	return mock_type(int);
}

static char sysfs[] = "/tmp/ovskvm-sysfs-XXXXXX";
static char *out;
static int failed;			/* checklist_print() said so */
static size_t out_len;

static void set_loaded_srcversion(const char *s)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs, MODULE_NAME);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/srcversion", sysfs, MODULE_NAME);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", s);
	fclose(f);
}

static int setup(void **state)
{
	static const struct fake_mod good = {
		.name = MODULE_NAME,
		.path = "/lib/modules/6.1.0-test/updates/dkms/ovskvm_autoport.ko",
		.initstate = KMOD_MODULE_LIVE,
		.refcnt = 0,
		.info = {
			{ "version", "0.1.0" },
			{ "srcversion", "ABCDEF0123456789" },
			{ "vermagic", "6.1.0-test SMP preempt mod_unload modversions " },
		},
	};

	autoport = good;
	ovs = (struct fake_mod){ .name = "openvswitch", .initstate = KMOD_MODULE_LIVE };
	n_entries = 0;
	refs = 0;
	lists = 0;
	set_loaded_srcversion("ABCDEF0123456789");
	return 0;
}

/* Run module_verify, return the checklist; every reference must be dropped. */
static struct checklist *verify(void)
{
	static struct checklist cl;
	FILE *f;

	memset(&cl, 0, sizeof(cl));
	n_entries = 0;
	module_verify(NULL, sysfs, "6.1.0-test", &cl);
	assert_int_equal(refs, 0);
	assert_int_equal(lists, 0);
	free(out);
	f = open_memstream(&out, &out_len);
	failed = checklist_print(&cl, f);
	fclose(f);
	return &cl;
}

static const struct check *find(const struct checklist *cl, const char *name)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++)
		if (!strcmp(cl->items[i].name, name))
			return &cl->items[i];
	fail_msg("no check named %s", name);
	return NULL;
}

static void expect(const struct checklist *cl, const char *name,
		   enum check_status status, const char *detail)
{
	const struct check *c = find(cl, name);

	if (c->status != status || !strstr(c->detail, detail))
		fail_msg("%s: got [%d] %s, want [%d] ...%s...", name, c->status,
			 c->detail, status, detail);
}

static void test_all_good(void **state)
{
	struct checklist *cl = verify();

	expect(cl, "installed", CHECK_OK, "/lib/modules/6.1.0-test/updates/dkms/ovskvm_autoport.ko (version 0.1.0)");
	expect(cl, "loaded", CHECK_OK, "live");
	expect(cl, "srcversion", CHECK_OK, "loaded module matches");
	expect(cl, "vermagic", CHECK_OK, "6.1.0-test SMP");
	expect(cl, "references", CHECK_OK, "refcnt 0, holders: none");
	expect(cl, "openvswitch", CHECK_OK, "loaded");
	assert_int_equal(failed, 0);
	assert_non_null(strstr(out, "[ OK ] loaded: live\n"));
}

static void test_not_installed(void **state)
{
	struct checklist *cl;

	autoport.name = NULL;
	cl = verify();
	expect(cl, "installed", CHECK_FAIL, "ovskvm_autoport is not installed for 6.1.0-test: install it with DKMS");
	expect(cl, "loaded", CHECK_FAIL, "not loaded: run 'ovskvm load'");
	expect(cl, "srcversion", CHECK_SKIP, "no module file");
	expect(cl, "vermagic", CHECK_SKIP, "no module file");
	assert_int_equal(failed, 1);
}

static void test_not_loaded(void **state)
{
	struct checklist *cl;

	autoport.initstate = -ENOENT;
	ovs.initstate = -ENOENT;
	cl = verify();
	expect(cl, "installed", CHECK_OK, "ovskvm_autoport.ko");
	expect(cl, "loaded", CHECK_FAIL, "not loaded: run 'ovskvm load'");
	expect(cl, "srcversion", CHECK_SKIP, "not loaded");
	expect(cl, "vermagic", CHECK_OK, "6.1.0-test");
	expect(cl, "references", CHECK_SKIP, "not loaded");
	expect(cl, "openvswitch", CHECK_WARN, "not loaded: OVS bridges cannot take ports");
	assert_non_null(strstr(out, "[FAIL] loaded: not loaded"));
	assert_non_null(strstr(out, "[WARN] openvswitch"));
}

static void test_coming(void **state)
{
	autoport.initstate = KMOD_MODULE_COMING;
	expect(verify(), "loaded", CHECK_FAIL, "coming, not live yet");
}

static void test_stale_srcversion(void **state)
{
	set_loaded_srcversion("0000OLDBUILD0000");
	expect(verify(), "srcversion", CHECK_FAIL,
	       "the loaded module (0000OLDBUILD0000) is not the installed file /lib/modules/6.1.0-test/updates/dkms/ovskvm_autoport.ko (ABCDEF0123456789): a stale build is running; reload it: 'modprobe -r ovskvm_autoport && ovskvm load'");
}

static void test_srcversion_unreadable(void **state)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/srcversion", sysfs, MODULE_NAME);
	unlink(path);
	expect(verify(), "srcversion", CHECK_WARN, "srcversion: No such file or directory");
}

static void test_no_srcversion_key(void **state)
{
	autoport.info[1][0] = "license";
	expect(verify(), "srcversion", CHECK_WARN, "has no srcversion");
}

static void test_vermagic_mismatch(void **state)
{
	struct checklist *cl;

	autoport.info[2][1] = "6.1.0-old SMP preempt";
	cl = verify();
	expect(cl, "vermagic", CHECK_FAIL, "was built for 6.1.0-old, the running kernel is 6.1.0-test: rebuild it");
	/* a prefix is not a match */
	autoport.info[2][1] = "6.1.0-testing SMP";
	expect(verify(), "vermagic", CHECK_FAIL, "built for 6.1.0-testing");
	autoport.info[2][0] = "author";
	expect(verify(), "vermagic", CHECK_FAIL, "has no vermagic");
}

static void test_builtin(void **state)
{
	struct checklist *cl;

	autoport.path = NULL;
	autoport.initstate = KMOD_MODULE_BUILTIN;
	cl = verify();
	expect(cl, "installed", CHECK_OK, "built into the kernel");
	expect(cl, "loaded", CHECK_OK, "live");
	expect(cl, "srcversion", CHECK_SKIP, "no module file");
}

static void test_holders(void **state)
{
	autoport.refcnt = 2;
	autoport.holder = "kvm_helper";
	expect(verify(), "references", CHECK_OK, "refcnt 2, holders: kvm_helper");
	autoport.refcnt = -ENOENT;
	expect(verify(), "references", CHECK_WARN, "cannot read the reference count");
}

static int load(const char *params)
{
	FILE *f;
	int ret;

	free(out);
	n_entries = 0;
	f = open_memstream(&out, &out_len);
	ret = module_load(NULL, params, f);
	fclose(f);
	assert_int_equal(refs, 0);
	assert_int_equal(lists, 0);
	return ret;
}

static void test_load(void **state)
{
	autoport.initstate = -ENOENT;
	expect_string(__wrap_kmod_module_probe_insert_module, extra_options, "bridge=br1");
	will_return(__wrap_kmod_module_probe_insert_module, 0);
	assert_int_equal(load("bridge=br1"), 0);
	assert_string_equal(out, "");
}

static void test_load_already_loaded(void **state)
{
	assert_int_equal(load(NULL), MODULE_WAS_LOADED);
	assert_string_equal(out, "");
	assert_int_equal(load("bridge=x"), MODULE_WAS_LOADED);
	assert_non_null(strstr(out, "Warning: ovskvm_autoport is already loaded, the parameters 'bridge=x' were not applied (unload it first: modprobe -r ovskvm_autoport)."));
}

static void test_load_not_installed(void **state)
{
	autoport.name = NULL;
	assert_int_equal(load(NULL), -ENOENT);
	assert_non_null(strstr(out, "Error: ovskvm_autoport is not installed for this kernel: install it with DKMS"));
	assert_non_null(strstr(out, "dkms install ovskvm_autoport/"));
}

static void test_load_failures(void **state)
{
	autoport.initstate = -ENOENT;
	expect_any_count(__wrap_kmod_module_probe_insert_module, extra_options, 4);
	will_return(__wrap_kmod_module_probe_insert_module, KMOD_PROBE_APPLY_BLACKLIST);
	assert_int_equal(load(NULL), -EPERM);
	assert_non_null(strstr(out, "is blacklisted in /etc/modprobe.d"));

	will_return(__wrap_kmod_module_probe_insert_module, -ENOEXEC);
	assert_int_equal(load(NULL), -ENOEXEC);
	assert_non_null(strstr(out, "Error: loading ovskvm_autoport from /lib/modules/6.1.0-test/updates/dkms/ovskvm_autoport.ko failed: Exec format error (built for another kernel?"));

	will_return(__wrap_kmod_module_probe_insert_module, -EINVAL);
	assert_int_equal(load("bogus=1"), -EINVAL);
	assert_non_null(strstr(out, "a bad parameter? see 'modinfo -p ovskvm_autoport'"));

	/* a concurrent load won the race: fine */
	will_return(__wrap_kmod_module_probe_insert_module, -EEXIST);
	assert_int_equal(load(NULL), MODULE_WAS_LOADED);
	assert_string_equal(out, "");
}

static int group_setup(void **state)
{
	return mkdtemp(sysfs) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/srcversion", sysfs, MODULE_NAME);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", sysfs, MODULE_NAME);
	rmdir(path);
	rmdir(sysfs);
	free(out);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_good, setup),
		cmocka_unit_test_setup(test_not_installed, setup),
		cmocka_unit_test_setup(test_not_loaded, setup),
		cmocka_unit_test_setup(test_coming, setup),
		cmocka_unit_test_setup(test_stale_srcversion, setup),
		cmocka_unit_test_setup(test_srcversion_unreadable, setup),
		cmocka_unit_test_setup(test_no_srcversion_key, setup),
		cmocka_unit_test_setup(test_vermagic_mismatch, setup),
		cmocka_unit_test_setup(test_builtin, setup),
		cmocka_unit_test_setup(test_holders, setup),
		cmocka_unit_test_setup(test_load, setup),
		cmocka_unit_test_setup(test_load_already_loaded, setup),
		cmocka_unit_test_setup(test_load_not_installed, setup),
		cmocka_unit_test_setup(test_load_failures, setup),
	};

	return cmocka_run_group_tests_name("verify", tests, group_setup, group_teardown);
}
