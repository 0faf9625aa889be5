// An article page whose #app element Vue 3 renders on the server and hydrates in the browser,
// with or without Forewarn's slot (a plain empty element the app renders). It re-renders once
// after mounting, then sets window.__hydrated for the test.
import { createSSRApp, h, nextTick, onMounted, ref } from "vue";

export function createApp(slot) {
  return createSSRApp({
    setup() {
      const renders = ref(0);
      onMounted(async () => {
        renders.value = 1;
        await nextTick();
        window.__hydrated = true;
      });
      return () => h("div", { class: "page" }, [
        slot ? h("div", { "data-forewarn-slot": "" }) : null,
        h("header", null, h("h1", null, "The library that stayed open all winter")),
        h("main", null, h("p", null, `Article text. Renders: ${renders.value}`)),
      ]);
    },
  });
}
