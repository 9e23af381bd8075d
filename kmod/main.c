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

bool ovskvm_param_bring_up = true;
module_param_named(bring_up, ovskvm_param_bring_up, bool, 0444);
MODULE_PARM_DESC(bring_up, "Bring taps up once attached under the default policy (default: Y)");

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
MODULE_ALIAS_GENL_FAMILY(OVSKVM_GENL_NAME);
