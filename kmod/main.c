// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm_autoport: attach KVM guest taps to Linux and Open vSwitch bridges.
 * Module parameters, init and exit.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "ovskvm.h"
#include "version.h"

char *ovskvm_param_bridge = "br0";
module_param_named(bridge, ovskvm_param_bridge, charp, 0444);
MODULE_PARM_DESC(bridge,
		 "Bridge of the default policy, in force until userspace pushes one; empty: no default rule (default: br0)");

char *ovskvm_param_match = "tap*,vnet*";
module_param_named(match, ovskvm_param_match, charp, 0444);
MODULE_PARM_DESC(match,
		 "Comma-separated interface name globs of the default policy; empty: every tap (default: tap*,vnet*)");

/*
 * The default policy takes only taps that QEMU creates itself, as the
 * classic ovs-ifup guests do.  Taps that a port manager creates (libvirt's
 * daemons, qemu-bridge-helper) are that manager's to attach: taking them
 * too would race it, and the loser's VM would fail to start.
 */
char *ovskvm_param_creator = "qemu-system-*";
module_param_named(creator, ovskvm_param_creator, charp, 0444);
MODULE_PARM_DESC(creator,
		 "Glob on the comm of the process that creates a tap, for the default policy; empty: any creator (default: qemu-system-*, i.e. QEMU opening its own taps, never libvirt's daemons or qemu-bridge-helper)");

bool ovskvm_param_bring_up = true;
module_param_named(bring_up, ovskvm_param_bring_up, bool, 0444);
MODULE_PARM_DESC(bring_up, "Bring taps up once attached under the default policy (default: Y)");

/*
 * No MODULE_ALIAS_GENL_FAMILY: resolving a family name is open to every
 * user, and an alias would let anyone load this module, which then acts on
 * the host's taps.  Root loads it (modprobe, ovskvm load, modules-load.d).
 */

static int __init ovskvm_init(void)
{
	int err;

	err = ovskvm_policy_init();
	if (err)
		return err;
	err = ovskvm_genl_init();
	if (err)
		goto err_policy;
	err = ovskvm_ports_init();
	if (err)
		goto err_unregister_genl;
	pr_info("version %s loaded\n", OVSKVM_VERSION);
	return 0;

err_unregister_genl:
	ovskvm_genl_exit();
err_policy:
	ovskvm_policy_exit();
	return err;
}

static void __exit ovskvm_exit(void)
{
	ovskvm_ports_exit();
	ovskvm_genl_exit();
	ovskvm_policy_exit();
	pr_info("unloaded\n");
}

module_init(ovskvm_init);
module_exit(ovskvm_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(OVSKVM_VERSION);
MODULE_AUTHOR("The ovskvm_autoport authors");
MODULE_DESCRIPTION("Automatic attachment of KVM guest taps to Linux and Open vSwitch bridges");
