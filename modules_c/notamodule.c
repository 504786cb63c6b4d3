/*
 * notamodule.c - a shared object that is not a module: it exports no
 * RedisModule_OnLoad, so loading it must fail cleanly.
 */
int notamodule_answer(void);

int notamodule_answer(void) {
    return 42;
}
