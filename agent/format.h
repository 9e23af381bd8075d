/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_FORMAT_H
#define OVSKVM_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "msg.h"

/* "52:54:00:aa:bb:01" into OUT (at least 18 bytes). */
char *format_mac(const uint8_t mac[6], char *out);

/* "3.1 ms", "870 us", "-" for 0. */
char *format_ns(uint64_t ns, char *out, size_t len);

/* "10", "trunks 10,20-22", "-". */
char *format_vlan(uint16_t tag, const uint16_t *trunks, unsigned int n,
		  char *out, size_t len);

/* One line describing a rule: "attach name vnet*,tap* -> br0 vlan 10 up". */
char *format_rule(const struct config_rule *r, char *out, size_t len);

json_t *json_rule(const struct config_rule *r);
json_t *json_port(const struct ovskvm_port *p);

#endif
