/* normalize.c: placeholder, being written. */
int xc_normalize_placeholder;
