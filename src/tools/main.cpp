#include <cstdio>
int main() { std::puts("polyvm"); return 0; }
