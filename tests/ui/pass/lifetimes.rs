use reattempt::retry;

#[retry(constant(n = 2, delay = "1ms"))]
fn first_word(text: &str) -> Result<&str, ()> {
    text.split_whitespace().next().ok_or(())
}

#[retry(constant(n = 2, delay = "1ms"))]
fn longest<'a>(a: &'a str, b: &'a str) -> Result<&'a str, ()> {
    Ok(if a.len() >= b.len() { a } else { b })
}

struct Store {
    items: Vec<String>,
}

impl Store {
    #[retry(constant(n = 2, delay = "1ms"))]
    fn get(&self, i: usize) -> Result<&String, usize> {
        self.items.get(i).ok_or(i)
    }

    #[retry(constant(n = 2, delay = "1ms"))]
    async fn get_async<'s>(&'s self, key: &str) -> Result<&'s str, String> {
        self.items
            .iter()
            .find(|item| item.as_str() == key)
            .map(String::as_str)
            .ok_or_else(|| key.to_owned())
    }
}

fn main() {
    let _ = first_word("hello world");
    let _ = longest("a", "bb");
    let store = Store { items: vec!["x".into()] };
    let _ = store.get(0);
    drop(store.get_async("x"));
}
