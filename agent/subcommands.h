/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_SUBCOMMANDS_H
#define OVSKVM_SUBCOMMANDS_H

extern const char *prog;

int cmd_load(int argc, char *argv[]);
int cmd_verify(int argc, char *argv[]);
int cmd_status(int argc, char *argv[]);
int cmd_check_config(int argc, char *argv[]);
int cmd_apply(int argc, char *argv[]);
int cmd_monitor(int argc, char *argv[]);
int cmd_agent(int argc, char *argv[]);

/*
 * Print a subcommand's USAGE, a printf format whose one %s is the program's
 * name, to stdout (for --help) or to stderr (after a usage error).
 */
void print_usage(const char *usage, int to_stderr);

#endif
