/* screen.c: placeholder, being written. */
int xc_screen_placeholder;
