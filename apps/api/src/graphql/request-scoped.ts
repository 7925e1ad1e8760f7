import type { Context } from "./context.js";

/**
 * The one way to keep something for one operation (batch loaders, what a subscription last read): made
 * on first use from the operation's context, and gone with it. Apollo gives each operation a context
 * object of its own, and every WebSocket subscription has one too.
 */
export function requestScoped<T>(create: (ctx: Context) => T): (ctx: Context) => T {
  const values = new WeakMap<Context, T>();
  return (ctx) => {
    let value = values.get(ctx);
    if (value === undefined) {
      value = create(ctx);
      values.set(ctx, value);
    }
    return value;
  };
}
