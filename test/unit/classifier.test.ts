import { classify } from '../../src/care/rules/classifier';

describe('rule-based classifier on the domain examples', () => {
  it.each([
    ['should I buy the CTS or the MKZ?', 'SALES_LEAD'],
    ['Thinking of buying a hybrid, worth a test drive this weekend?', 'SALES_LEAD'],
    ['Anyone else getting under 25 mpg on the highway? Curious what fuel mileage you all see', 'PROACTIVE'],
    ['Getting 38 mpg on my road trip this week #fuelmileage', 'PROACTIVE'],
    ['Thanks @AcmeCars for fixing my car so fast, great service!', 'COMPLIMENT'],
    ['Just wanted to say thank you to the dealer team', 'COMPLIMENT'],
    ['My navigation screen is broken again and nobody at the dealership will help. Unacceptable.', 'COMPLAINT'],
    ['Thanks for nothing, still waiting for my refund', 'COMPLAINT'],
    ['How do I pair my phone over bluetooth?', 'QUESTION'],
    ['@AcmeCars when does the service centre open on Saturdays', 'QUESTION'],
    ['lol', 'OTHER'],
  ])('"%s" is %s', (text, category) => {
    expect(classify(text).category).toBe(category);
  });

  it('scores praise positive, anger negative and plain facts neutral, within -1..1', () => {
    const praise = classify('I love my new car, the staff were amazing and so helpful').sentiment;
    const anger = classify('Worst service ever, rude staff and a broken car. Furious.').sentiment;
    const plain = classify('My car is blue').sentiment;
    expect(praise).toBeGreaterThan(0.5);
    expect(anger).toBeLessThan(-0.5);
    expect(plain).toBe(0);
    for (const s of [praise, anger, plain]) expect(Math.abs(s)).toBeLessThanOrEqual(1);
  });

  it('flips the polarity of a word after a negator', () => {
    expect(classify('the repair was not good').sentiment).toBeLessThan(0);
  });

  it('takes hashtags as topics and adds lexicon topics from the words', () => {
    expect(classify('Is my #Warranty still valid after the recall? #AcmeCars').topics).toEqual(['warranty', 'acmecars', 'recall']);
    expect(classify('what fuel economy does it get').topics).toEqual(['fuel-mileage']);
  });

  it('matches keywords as whole words, not inside other words', () => {
    expect(classify('so happy today').topics).not.toContain('app');
    expect(classify('the app keeps crashing').topics).toContain('app');
  });
});
