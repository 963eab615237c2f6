"""共享交换: sharing requests and grants, the exchange API's log, "who used my data"."""
