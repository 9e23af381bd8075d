// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm_autoport: attach KVM guest taps to Linux and Open vSwitch bridges.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "version.h"

static char *bridge = "br0";
module_param(bridge, charp, 0444);
MODULE_PARM_DESC(bridge, "Bridge of the default policy, used until userspace pushes one (default: br0)");

static char *match = "tap*,vnet*";
module_param(match, charp, 0444);
MODULE_PARM_DESC(match, "Comma-separated interface name globs of the default policy (default: tap*,vnet*)");

static bool bring_up = true;
module_param(bring_up, bool, 0444);
MODULE_PARM_DESC(bring_up, "Bring taps up once attached under the default policy (default: Y)");

static int __init ovskvm_init(void)
{
	pr_info("version %s loaded\n", OVSKVM_VERSION);
	return 0;
}

static void __exit ovskvm_exit(void)
{
	pr_info("unloaded\n");
}

module_init(ovskvm_init);
module_exit(ovskvm_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(OVSKVM_VERSION);
MODULE_AUTHOR("The ovskvm_autoport authors");
MODULE_DESCRIPTION("Automatic attachment of KVM guest taps to Linux and Open vSwitch bridges");
