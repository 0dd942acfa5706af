// placeholder until the CLI lands
#include <cstdio>
int main() { std::puts("rmb: not built yet"); return 1; }
